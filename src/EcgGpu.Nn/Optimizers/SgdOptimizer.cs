using EcgGpu.Kernels;
using EcgGpu.Runtime;

namespace EcgGpu.Nn;

/// <summary>SGD with momentum: v = μ·v + g; p −= lr·v.</summary>
public sealed class SgdOptimizer(float learningRate = 0.01f, float momentum = 0f) : Optimizer(learningRate)
{
    internal override void EnsureState(Parameter p)
    {
        if (momentum == 0f || p.M is not null) return;
        p.M = p.Value.Accelerator.Allocate<float>(p.Length);
        p.M.Fill(0f);
    }

    protected override void Update(Parameter p)
    {
        if (momentum == 0f) { Elementwise.Axpby(-LearningRate, p.Grad, 1f, p.Value); return; }
        EnsureState(p);
        Elementwise.Axpby(1f, p.Grad, momentum, p.M!);
        Elementwise.Axpby(-LearningRate, p.M!, 1f, p.Value);
    }
}
