using EcgGpu.Kernels;
using EcgGpu.Runtime;

namespace EcgGpu.Nn;

/// <summary>Updates parameters from their gradients; <see cref="LearningRate"/> may change between steps.</summary>
public abstract class Optimizer
{
    public float LearningRate { get; set; }
    /// <summary>Steps taken so far.</summary>
    public int Iterations { get; protected set; }

    protected Optimizer(float learningRate) => LearningRate = learningRate;

    /// <summary>Sets the step count when training resumes from a checkpoint.</summary>
    internal void RestoreIterations(int iterations) => Iterations = iterations;

    /// <summary>Allocates the per-parameter state this optimiser keeps (first and second moments), zeroed, if absent.</summary>
    internal virtual void EnsureState(Parameter p) { }

    /// <summary>
    /// When set, gradients are scaled so that their global L2 norm (over every parameter) is at most this
    /// (Keras <c>global_clipnorm</c>). Costs one reduction per parameter and one scalar read per step.
    /// </summary>
    public float? GlobalClipNorm { get; set; }

    /// <summary>
    /// Global gradient norm before clipping, at the last step (when clipping is on). Read from the device when
    /// asked for: the step itself clips on the device and does not wait for it.
    /// </summary>
    public float LastGradientNorm => _norm is null ? 0f : MathF.Sqrt(_norm.ToArray()[0]);

    private DeviceBuffer<float>? _norm, _part;

    public void Step(IReadOnlyList<Parameter> parameters)
    {
        Iterations++;
        if (GlobalClipNorm is { } clip && parameters.Count > 0) Clip(parameters, clip);
        foreach (var p in parameters) Update(p);
    }

    private void Clip(IReadOnlyList<Parameter> parameters, float clip)
    {
        var acc = parameters[0].Grad.Accelerator;
        _norm ??= acc.Allocate<float>(1);
        _part ??= acc.Allocate<float>(1);
        _norm.Fill(0f);
        foreach (var p in parameters)
        {
            Reduce.SumOfSquares(p.Grad, _part);
            Elementwise.Add(_norm, _part, _norm, 1);
        }
        // Scaled where the norm exceeds clip; a NaN norm leaves the gradients to the loss check.
        foreach (var p in parameters) Elementwise.ClipByNorm(_norm, clip, p.Grad);
    }

    protected abstract void Update(Parameter p);
}
