using EcgGpu.Runtime;
using EcgGpu.Runtime.Cpu;
using EcgGpu.Runtime.Ilgpu;

namespace EcgGpu.Kernels;

/// <summary>Which implementation a launcher takes for an accelerator: the managed CPU code or ILGPU's kernels.</summary>
internal static class Dispatch
{
    public static bool IsCpu(Accelerator a) => a.Kind == AcceleratorKind.Cpu;

    /// <summary>The ILGPU accelerator behind <paramref name="a"/> (every backend but the managed <c>cpu</c>).</summary>
    public static IlgpuAccelerator Device(Accelerator a)
        => a as IlgpuAccelerator ?? throw new InvalidOperationException($"{a} does not run device kernels");

    /// <summary>The managed backend's thread limit for <c>Parallel.For</c>.</summary>
    public static ParallelOptions Parallel(Accelerator a)
        => a is CpuAccelerator cpu ? cpu.ParallelOptions : new ParallelOptions();
}
