using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>Adam hyper-parameters. Defaults are Keras's (ε = 1e-7, placed as torch places it).</summary>
public sealed record AdamSettings(float LearningRate = 1e-3f, float Beta1 = 0.9f, float Beta2 = 0.999f, float Epsilon = 1e-7f,
    float WeightDecay = 0f, bool Decoupled = false)
{
    /// <summary>(1 − β1^t, 1 − β2^t) for step t ≥ 1, computed in double.</summary>
    public (float, float) BiasCorrections(int step)
    {
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), "Adam steps count from 1");
        return ((float)(1 - Math.Pow(Beta1, step)), (float)(1 - Math.Pow(Beta2, step)));
    }
}

/// <summary>The fused Adam update on any accelerator.</summary>
public static class Adam
{
    /// <summary>Applies step <paramref name="step"/> (1-based) to p with gradient g and moments m, v.</summary>
    public static void Step(DeviceBuffer<float> p, DeviceBuffer<float> g, DeviceBuffer<float> m, DeviceBuffer<float> v, AdamSettings settings, int step)
    {
        var acc = ArgumentChecks.Same(p, g, m, v);
        int n = Elementwise.Count(-1, p, g, m, v);
        var (bc1, bc2) = settings.BiasCorrections(step);
        if (Dispatch.IsCpu(acc)) { AdamCpu.Step(BufferAccess.Array(p), BufferAccess.Array(g), BufferAccess.Array(m), BufferAccess.Array(v), n, settings, step, Dispatch.Parallel(acc)); return; }
        if (n == 0) return;
        var device = Dispatch.Device(acc);
        device.Kernels<AdamKernels.Loaded>().Run(device, new AdamKernels.Args
        {
            N = n, LearningRate = settings.LearningRate, Beta1 = settings.Beta1, Beta2 = settings.Beta2, Epsilon = settings.Epsilon,
            Bc1 = bc1, Bc2 = bc2, WeightDecay = settings.WeightDecay, Decoupled = settings.Decoupled ? 1 : 0,
        }, BufferAccess.View(p), BufferAccess.View(g), BufferAccess.View(m), BufferAccess.View(v));
    }
}
