using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>The Gru layer against <see cref="RecurrentReference"/> on several shapes (shared by the tests and <c>ecg verify</c>).</summary>
public static class GruChecks
{
    public static IEnumerable<CheckResult> Run(Accelerator acc, Random rng)
    {
        const RecurrentCell cell = RecurrentCell.Gru;
        (RecurrentShape, bool)[] shapes =
        [
            (new RecurrentShape(1, 1, 1, 1, cell), true),
            (new RecurrentShape(3, 6, 2, 5, cell), true),
            (new RecurrentShape(5, 17, 1, 32, cell), false),
            (new RecurrentShape(9, 12, 7, 48, cell), true),
            (new RecurrentShape(4, 9, 3, 20, cell, Relu: true), true),
            (new RecurrentShape(6, 5, 2, 33, cell, Relu: true), false),
        ];
        shapes = acc.Kind == AcceleratorKind.IlgpuCpu
            // ILGPU's CPU accelerator runs every thread of a group as an OS thread meeting at each barrier: keep H and L small.
            ? [.. shapes, (new RecurrentShape(2, 6, 3, 256, cell), true)]
            : [.. shapes, (new RecurrentShape(2, 200, 3, 256, cell), true), // a sequence longer than a beat
                (new RecurrentShape(2, 3, 2, 1024, cell), true)]; // the largest hidden size: one thread per unit in a group of 1,024
        return RecurrentChecks.Cases(acc, rng, "gru", shapes).Concat(RecurrentChecks.LastState(acc, rng, "gru"));
    }
}
