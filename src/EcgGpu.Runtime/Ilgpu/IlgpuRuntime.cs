using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Backends.OpenCL;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using IlgpuContext = ILGPU.Context;

namespace EcgGpu.Runtime.Ilgpu;

/// <summary>
/// The one ILGPU context of the process and how its devices become <see cref="DeviceInfo"/>s.
/// </summary>
/// <remarks>
/// Math: ILGPU's default math mode on every accelerator (no fast-math flag; 32-bit float arithmetic stays
/// 32-bit). On CUDA ILGPU lowers exp/log/division to PTX's approximate instructions (ex2.approx, lg2.approx,
/// rcp/div.full) and flushes nothing else; on the CPU accelerator it calls .NET's MathF. The conformance
/// tolerances cover the difference.
/// </remarks>
public static class IlgpuRuntime
{
    private static readonly Lazy<IlgpuContext> Shared = new(CreateContext, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// The process-wide ILGPU context: ILGPU's CPU accelerator configured as an NVIDIA GPU (warps of 32, groups
    /// of up to 1,024 threads), every CUDA device, every OpenCL device (unusable ones are filtered by
    /// <see cref="Context"/> with a reason), ILGPU.Algorithms enabled, profiling markers on. Lives until exit.
    /// </summary>
    public static IlgpuContext Context => Shared.Value;

    private static IlgpuContext CreateContext()
    {
        ResolveVersionedLibraries();
        return IlgpuContext.Create(builder => builder
        .CPU(CPUDevice.Nvidia)
        .Cuda()
        .OpenCL(_ => true)
        .EnableAlgorithms()
        .Profiling()
        .Optimize(OptimizationLevel.O1));
    }

    /// <summary>
    /// ILGPU imports "cuda" and "OpenCL", which .NET looks up as libcuda.so and libOpenCL.so: names that only the
    /// development packages install. Drivers and ICD loaders install the versioned SONAMEs, so try those too.
    /// </summary>
    private static void ResolveVersionedLibraries()
    {
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(IlgpuContext).Assembly, (name, assembly, path) =>
            {
                foreach (var candidate in VersionedNames(name))
                    if (NativeLibrary.TryLoad(candidate, assembly, path, out var handle)) return handle;
                return 0;
            });
        }
        catch (InvalidOperationException) { } // a resolver is already set (by ILGPU or an embedding application)
    }

    internal static IEnumerable<string> VersionedNames(string name)
    {
        if (!OperatingSystem.IsLinux()) yield break;
        if (name.Equals("cuda", StringComparison.OrdinalIgnoreCase)) { yield return "libcuda.so.1"; yield return "libcuda.so"; }
        else if (name.Equals("OpenCL", StringComparison.OrdinalIgnoreCase)) { yield return "libOpenCL.so.1"; yield return "libOpenCL.so"; }
        else if (name.StartsWith("nvrtc", StringComparison.OrdinalIgnoreCase) || name.StartsWith("nvvm", StringComparison.OrdinalIgnoreCase)) yield break;
    }

    internal static DeviceInfo Describe(Device device, AcceleratorKind kind, int kindIndex, bool isGpu)
    {
        string name = device.Name, vendor, driver;
        switch (device)
        {
            case CudaDevice cuda:
                vendor = "NVIDIA";
                driver = $"CUDA driver {cuda.DriverVersion}, sm_{cuda.Architecture?.Major}{cuda.Architecture?.Minor}, PTX {cuda.InstructionSet}";
                break;
            case CLDevice cl:
                vendor = cl.VendorName;
                driver = $"OpenCL {cl.DeviceVersion}, C {cl.CLStdVersion}";
                break;
            default:
                vendor = "ILGPU";
                name = $"ILGPU CPU accelerator (as a GPU: warp {device.WarpSize}, groups ≤ {device.MaxNumThreadsPerGroup})";
                driver = $"ILGPU {typeof(IlgpuContext).Assembly.GetName().Version}";
                break;
        }
        DeviceInfo? info = null;
        // ILGPU reports the CPU accelerator's memory as unbounded; what it can really hold is the host's.
        long memory = device is CudaDevice or CLDevice ? device.MemorySize : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        info = new DeviceInfo(kind, kindIndex, name, vendor, memory, device.NumMultiprocessors, driver, isGpu,
            () => Open(info!, device));
        return info;
    }

    private static IlgpuAccelerator Open(DeviceInfo info, Device device)
    {
        try { return new IlgpuAccelerator(info, device.CreateAccelerator(Context)); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new BackendUnavailableException($"{info.Kind.ToCliName()}:{info.KindIndex} {info.Name}: opening the device failed: {e.Message}");
        }
    }

    /// <summary>Why ILGPU's OpenCL accelerator cannot drive this device, or null when it can.</summary>
    internal static string? OpenClUnsupportedReason(CLDevice device)
    {
        if (device.CLStdVersion < CLBackend.MinimumVersion)
            return $"OpenCL C {device.CLStdVersion} is older than the {CLBackend.MinimumVersion} ILGPU needs";
        if (!device.Capabilities.GenericAddressSpace)
            return "no generic address space (ILGPU's OpenCL backend needs it; PoCL 3.1 lacks it)";
        return null;
    }

    internal static string CudaAbsenceReason()
        => NativeLibrary.TryLoad("libcuda.so.1", out var handle) && Free(handle)
            ? "the CUDA driver (libcuda.so.1) is present but reports no GPU"
            : "no CUDA driver (libcuda.so.1 not found)";

    internal static string OpenClAbsenceReason()
        => NativeLibrary.TryLoad("libOpenCL.so.1", out var handle) && Free(handle)
            ? "the OpenCL ICD loader found no platform (install a GPU driver)"
            : "no OpenCL ICD loader (libOpenCL.so.1 not found)";

    private static bool Free(nint handle)
    {
        NativeLibrary.Free(handle);
        return true;
    }
}
