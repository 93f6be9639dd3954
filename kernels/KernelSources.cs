using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>TEMPORARY during the ILGPU port: the old OpenCL-C launch path, refused. Deleted when every family is ported.</summary>
internal static class KernelSources
{
    public static LegacyKernel Kernel(Accelerator accelerator, string path, string name, IReadOnlyDictionary<string, string>? defines = null)
        => throw new NotSupportedException($"{accelerator}: '{path}' ({name}) is not yet ported to ILGPU");
}

internal sealed class LegacyKernel
{
    public void Launch(NDRange global, NDRange local, params ReadOnlySpan<KernelArg> args) => throw new NotSupportedException();
}

internal static class LegacyLaunch
{
    public static int Local1D(Accelerator a) => 256;
}
