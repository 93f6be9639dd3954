namespace EcgGpu.Nn;

/// <summary>How Conv1D pads its input (Keras's <c>padding=</c>).</summary>
public enum Padding
{
    /// <summary>No padding: the output is kernel size − 1 steps shorter than the input.</summary>
    Valid,
    /// <summary>Zero padding so that the output is as long as the input; the left side gets (K−1)/2, as Keras and PyTorch do.</summary>
    Same,
}

internal static class PaddingKernels
{
    /// <summary>The conv1d kernels' name for the same padding.</summary>
    public static Kernels.Padding ToKernel(this Padding p) => p switch
    {
        Padding.Valid => Kernels.Padding.Valid,
        Padding.Same => Kernels.Padding.Same,
        _ => throw new ArgumentOutOfRangeException(nameof(p), p, "not a padding"),
    };
}
