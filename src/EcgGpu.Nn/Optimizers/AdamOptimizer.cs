using EcgGpu.Kernels;

namespace EcgGpu.Nn;

/// <summary>Adam through the fused kernel; Keras defaults (1e-3, 0.9, 0.999, ε 1e-7).</summary>
public sealed class AdamOptimizer(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f) : Optimizer(learningRate)
{
    internal override void EnsureState(Parameter p) => AdamMoments.Ensure(p);

    protected override void Update(Parameter p)
    {
        EnsureState(p);
        Adam.Step(p.Value, p.Grad, p.M!, p.V!, new AdamSettings(LearningRate, beta1, beta2, epsilon), Iterations);
    }
}

/// <summary>Adam's first and second moments of a parameter, shared by Adam and AdamW.</summary>
internal static class AdamMoments
{
    /// <summary>Allocates both moments, zeroed, unless the parameter has them.</summary>
    public static void Ensure(Parameter p)
    {
        if (p.M is not null) return;
        p.M = p.Value.Accelerator.Allocate<float>(p.Length);
        p.V = p.Value.Accelerator.Allocate<float>(p.Length);
        p.M.Fill(0f);
        p.V!.Fill(0f);
    }
}
