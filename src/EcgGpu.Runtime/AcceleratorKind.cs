namespace EcgGpu.Runtime;

/// <summary>The backend family an accelerator belongs to.</summary>
public enum AcceleratorKind
{
    /// <summary>Managed SIMD loops on the host; always present.</summary>
    Cpu,
    /// <summary>An OpenCL 1.2+ device reached through the ICD loader (GPU, or a CPU runtime such as PoCL).</summary>
    OpenCL,
    /// <summary>An NVIDIA GPU reached through the CUDA driver API, kernels compiled with NVRTC.</summary>
    Cuda,
}

/// <summary>Parses and prints backend names the way the CLI spells them.</summary>
public static class AcceleratorKindNames
{
    public static string ToCliName(this AcceleratorKind kind) => kind switch
    {
        AcceleratorKind.Cpu => "cpu",
        AcceleratorKind.OpenCL => "opencl",
        AcceleratorKind.Cuda => "cuda",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static bool TryParse(string text, out AcceleratorKind kind)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "cpu": kind = AcceleratorKind.Cpu; return true;
            case "opencl" or "cl": kind = AcceleratorKind.OpenCL; return true;
            case "cuda": kind = AcceleratorKind.Cuda; return true;
            default: kind = default; return false;
        }
    }
}
