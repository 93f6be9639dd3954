using EcgGpu.Kernels;

namespace EcgGpu.Nn;

/// <summary>
/// AdamW (Loshchilov and Hutter): Adam with decoupled weight decay, p −= lr·weightDecay·p before the Adam step,
/// in the same fused kernel; Keras defaults (1e-3, weight decay 0.004, 0.9, 0.999, ε 1e-7). Every trainable
/// parameter decays, biases included, as Keras does unless told otherwise.
/// </summary>
public sealed class AdamWOptimizer(float learningRate = 1e-3f, float weightDecay = 0.004f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f)
    : Optimizer(learningRate)
{
    public float WeightDecay { get; } = weightDecay >= 0f && float.IsFinite(weightDecay) ? weightDecay
        : throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "weight decay must be a finite number ≥ 0");

    internal override void EnsureState(Parameter p) => AdamMoments.Ensure(p);

    protected override void Update(Parameter p)
    {
        EnsureState(p);
        Adam.Step(p.Value, p.Grad, p.M!, p.V!, new AdamSettings(LearningRate, beta1, beta2, epsilon, WeightDecay, Decoupled: true), Iterations);
    }
}
