using System.Reflection;
using ILGPU;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace EcgGpu.Runtime.Ilgpu;

/// <summary>
/// Compiles a kernel method with ILGPU's backends without a device: PTX for a CUDA architecture, OpenCL C
/// source. What CI checks in place of a GPU, and what <c>ecg verify</c> can print.
/// </summary>
public static class DeviceCode
{
    private static EntryPointDescription Entry(MethodInfo kernel, bool explicitlyGrouped) => explicitlyGrouped
        ? EntryPointDescription.FromExplicitlyGroupedKernel(kernel)
        : EntryPointDescription.FromImplicitlyGroupedKernel(kernel);

    /// <summary>PTX (ISA 7.8, which ptxas 11.8 and every newer one assemble) for <paramref name="kernel"/> on compute capability <paramref name="major"/>.<paramref name="minor"/>.</summary>
    public static string Ptx(MethodInfo kernel, bool explicitlyGrouped, int major, int minor)
    {
        var architecture = new CudaArchitecture(major, minor);
        var backend = new PTXBackend(IlgpuRuntime.Context, architecture, CudaInstructionSet.ISA_78, null!);
        var compiled = (PTXCompiledKernel)backend.Compile(Entry(kernel, explicitlyGrouped), new KernelSpecialization());
        return compiled.PTXAssembly;
    }

    /// <summary>OpenCL C 2.0 source for <paramref name="kernel"/> as ILGPU writes it for a generic GPU.</summary>
    public static string OpenCLSource(MethodInfo kernel, bool explicitlyGrouped)
    {
        var ctor = typeof(CLCapabilityContext).GetConstructors().Single(c => c.GetParameters().All(p => p.ParameterType == typeof(bool)));
        // A device that has the generic address space and none of the optional extensions.
        var caps = (CLCapabilityContext)ctor.Invoke(ctor.GetParameters().Select(p => (object)p.Name!.Contains("Generic", StringComparison.OrdinalIgnoreCase)).ToArray());
        var backend = new CLBackend(IlgpuRuntime.Context, caps, CLDeviceVendor.Other, CLCVersion.CL20);
        var compiled = (CLCompiledKernel)backend.Compile(Entry(kernel, explicitlyGrouped), new KernelSpecialization());
        return compiled.Source;
    }
}
