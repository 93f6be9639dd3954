namespace EcgGpu.Nn;

/// <summary>The activation a layer applies to its outputs (Keras's <c>activation=</c>).</summary>
public enum Activation
{
    Identity,
    Relu,
    Tanh,
    Sigmoid,
}

internal static class ActivationKernels
{
    /// <summary>The elementwise kernels' name for the same function.</summary>
    public static Kernels.Activation ToKernel(this Activation a) => a switch
    {
        Activation.Identity => Kernels.Activation.Identity,
        Activation.Relu => Kernels.Activation.Relu,
        Activation.Tanh => Kernels.Activation.Tanh,
        Activation.Sigmoid => Kernels.Activation.Sigmoid,
        _ => throw new ArgumentOutOfRangeException(nameof(a), a, "not an activation"),
    };
}
