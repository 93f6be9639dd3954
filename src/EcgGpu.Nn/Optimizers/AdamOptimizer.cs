using EcgGpu.Kernels;
using EcgGpu.Runtime;

namespace EcgGpu.Nn;

/// <summary>Adam through the fused kernel; Keras defaults (1e-3, 0.9, 0.999, ε 1e-7).</summary>
public sealed class AdamOptimizer(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f) : Optimizer(learningRate)
{
    internal override void EnsureState(Parameter p)
    {
        if (p.M is not null) return;
        p.M = p.Value.Accelerator.Allocate<float>(p.Length);
        p.V = p.Value.Accelerator.Allocate<float>(p.Length);
        p.M.Fill(0f);
        p.V!.Fill(0f);
    }

    protected override void Update(Parameter p)
    {
        EnsureState(p);
        Adam.Step(p.Value, p.Grad, p.M!, p.V!, new AdamSettings(LearningRate, beta1, beta2, epsilon), Iterations);
    }
}
