using System.Runtime.InteropServices;

namespace EcgGpu.Runtime.Cuda;

/// <summary>The CUDA driver API calls EcgGpu uses (<c>libcuda.so.1</c>), with their versioned symbol names.</summary>
internal static unsafe partial class Cu
{
    public const int AttrMaxThreadsPerBlock = 1, AttrMaxSharedMemoryPerBlock = 8, AttrMultiprocessorCount = 16,
        AttrComputeCapabilityMajor = 75, AttrComputeCapabilityMinor = 76;

    [LibraryImport(NativeLibraries.Cuda)] public static partial int cuInit(uint flags);
    [LibraryImport(NativeLibraries.Cuda)] public static partial int cuDriverGetVersion(int* version);
    [LibraryImport(NativeLibraries.Cuda)] public static partial int cuDeviceGetCount(int* count);
    [LibraryImport(NativeLibraries.Cuda)] public static partial int cuDeviceGet(int* device, int ordinal);
    [LibraryImport(NativeLibraries.Cuda)] public static partial int cuDeviceGetName(byte* name, int length, int device);
    [LibraryImport(NativeLibraries.Cuda)] public static partial int cuDeviceGetAttribute(int* value, int attribute, int device);
    [LibraryImport(NativeLibraries.Cuda, EntryPoint = "cuDeviceTotalMem_v2")] public static partial int cuDeviceTotalMem(nuint* bytes, int device);
    [LibraryImport(NativeLibraries.Cuda)] public static partial int cuDevicePrimaryCtxRetain(nint* context, int device);
    [LibraryImport(NativeLibraries.Cuda, EntryPoint = "cuDevicePrimaryCtxRelease_v2")] public static partial int cuDevicePrimaryCtxRelease(int device);
    [LibraryImport(NativeLibraries.Cuda)] public static partial int cuCtxSetCurrent(nint context);
    [LibraryImport(NativeLibraries.Cuda, EntryPoint = "cuMemAlloc_v2")] public static partial int cuMemAlloc(ulong* pointer, nuint bytes);
    [LibraryImport(NativeLibraries.Cuda, EntryPoint = "cuMemFree_v2")] public static partial int cuMemFree(ulong pointer);
    [LibraryImport(NativeLibraries.Cuda, EntryPoint = "cuMemcpyHtoDAsync_v2")] public static partial int cuMemcpyHtoDAsync(ulong destination, void* source, nuint bytes, nint stream);
    [LibraryImport(NativeLibraries.Cuda, EntryPoint = "cuMemcpyDtoHAsync_v2")] public static partial int cuMemcpyDtoHAsync(void* destination, ulong source, nuint bytes, nint stream);
    [LibraryImport(NativeLibraries.Cuda, EntryPoint = "cuMemcpyDtoDAsync_v2")] public static partial int cuMemcpyDtoDAsync(ulong destination, ulong source, nuint bytes, nint stream);
    [LibraryImport(NativeLibraries.Cuda)] public static partial int cuMemsetD8Async(ulong destination, byte value, nuint count, nint stream);
    [LibraryImport(NativeLibraries.Cuda)] public static partial int cuMemsetD16Async(ulong destination, ushort value, nuint count, nint stream);
    [LibraryImport(NativeLibraries.Cuda)] public static partial int cuMemsetD32Async(ulong destination, uint value, nuint count, nint stream);
    [LibraryImport(NativeLibraries.Cuda)] public static partial int cuModuleLoadData(nint* module, void* image);
    [LibraryImport(NativeLibraries.Cuda)] public static partial int cuModuleUnload(nint module);
    [LibraryImport(NativeLibraries.Cuda)] public static partial int cuModuleGetFunction(nint* function, nint module, byte* name);
    [LibraryImport(NativeLibraries.Cuda)] public static partial int cuLaunchKernel(nint function, uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY, uint blockZ, uint sharedBytes, nint stream, void** parameters, void** extra);
    [LibraryImport(NativeLibraries.Cuda)] public static partial int cuStreamCreate(nint* stream, uint flags);
    [LibraryImport(NativeLibraries.Cuda, EntryPoint = "cuStreamDestroy_v2")] public static partial int cuStreamDestroy(nint stream);
    [LibraryImport(NativeLibraries.Cuda)] public static partial int cuStreamSynchronize(nint stream);
    [LibraryImport(NativeLibraries.Cuda)] public static partial int cuEventCreate(nint* evt, uint flags);
    [LibraryImport(NativeLibraries.Cuda)] public static partial int cuEventRecord(nint evt, nint stream);
    [LibraryImport(NativeLibraries.Cuda)] public static partial int cuEventSynchronize(nint evt);
    [LibraryImport(NativeLibraries.Cuda)] public static partial int cuEventElapsedTime(float* milliseconds, nint start, nint end);
    [LibraryImport(NativeLibraries.Cuda, EntryPoint = "cuEventDestroy_v2")] public static partial int cuEventDestroy(nint evt);
    [LibraryImport(NativeLibraries.Cuda)] public static partial int cuGetErrorName(int error, byte** name);
    [LibraryImport(NativeLibraries.Cuda)] public static partial int cuGetErrorString(int error, byte** text);

    public static void Check(int code, string call, string? detail = null)
    {
        if (code != 0) throw new NativeCallException(AcceleratorKind.Cuda, call, code, ErrorName(code), Join(ErrorString(code), detail));
    }

    private static string? Join(string? a, string? b) => a is null ? b : b is null ? a : $"{a}; {b}";

    public static string ErrorName(int code)
    {
        byte* name = null;
        try { if (cuGetErrorName(code, &name) == 0 && name != null) return Marshal.PtrToStringUTF8((nint)name) ?? $"CUDA_ERROR_{code}"; }
        catch (DllNotFoundException) { }
        catch (EntryPointNotFoundException) { }
        return $"CUDA_ERROR_{code}";
    }

    private static string? ErrorString(int code)
    {
        byte* text = null;
        try { if (cuGetErrorString(code, &text) == 0 && text != null) return Marshal.PtrToStringUTF8((nint)text); }
        catch (DllNotFoundException) { }
        catch (EntryPointNotFoundException) { }
        return null;
    }
}

/// <summary>NVRTC: CUDA C++ source to PTX at run time.</summary>
internal static unsafe partial class Nvrtc
{
    [LibraryImport(NativeLibraries.Nvrtc)] public static partial int nvrtcVersion(int* major, int* minor);
    [LibraryImport(NativeLibraries.Nvrtc)] public static partial int nvrtcGetNumSupportedArchs(int* count);
    [LibraryImport(NativeLibraries.Nvrtc)] public static partial int nvrtcGetSupportedArchs(int* archs);
    [LibraryImport(NativeLibraries.Nvrtc)] public static partial int nvrtcCreateProgram(nint* program, byte* source, byte* name, int numHeaders, byte** headers, byte** includeNames);
    [LibraryImport(NativeLibraries.Nvrtc)] public static partial int nvrtcCompileProgram(nint program, int numOptions, byte** options);
    [LibraryImport(NativeLibraries.Nvrtc)] public static partial int nvrtcGetPTXSize(nint program, nuint* size);
    [LibraryImport(NativeLibraries.Nvrtc)] public static partial int nvrtcGetPTX(nint program, byte* ptx);
    [LibraryImport(NativeLibraries.Nvrtc)] public static partial int nvrtcGetProgramLogSize(nint program, nuint* size);
    [LibraryImport(NativeLibraries.Nvrtc)] public static partial int nvrtcGetProgramLog(nint program, byte* log);
    [LibraryImport(NativeLibraries.Nvrtc)] public static partial int nvrtcDestroyProgram(nint* program);
    [LibraryImport(NativeLibraries.Nvrtc)] public static partial byte* nvrtcGetErrorString(int result);

    public const int CompilationError = 6;

    public static void Check(int code, string call, string? detail = null)
    {
        if (code == 0) return;
        string name;
        try { name = Marshal.PtrToStringUTF8((nint)nvrtcGetErrorString(code)) ?? $"NVRTC_ERROR_{code}"; }
        catch (EntryPointNotFoundException) { name = $"NVRTC_ERROR_{code}"; }
        throw new NativeCallException(AcceleratorKind.Cuda, call, code, name, detail);
    }

    /// <summary>The NVRTC version as "major.minor".</summary>
    public static string Version()
    {
        int major, minor;
        Check(nvrtcVersion(&major, &minor), "nvrtcVersion");
        return $"{major}.{minor}";
    }

    /// <summary>
    /// The virtual architecture to compile for: the device's compute capability, clamped to the newest
    /// that this NVRTC knows (a newer GPU still runs PTX of an older architecture).
    /// </summary>
    public static int TargetArchitecture(int deviceCapability)
    {
        int count;
        if (nvrtcGetNumSupportedArchs(&count) != 0 || count <= 0) return deviceCapability;
        var archs = new int[count];
        fixed (int* a = archs) Check(nvrtcGetSupportedArchs(a), "nvrtcGetSupportedArchs");
        return ChooseArchitecture(deviceCapability, archs);
    }

    /// <summary>The largest supported architecture not above the device's; the smallest if all are above.</summary>
    public static int ChooseArchitecture(int deviceCapability, IReadOnlyCollection<int> supported)
    {
        var fitting = supported.Where(a => a <= deviceCapability).ToList();
        return fitting.Count > 0 ? fitting.Max() : supported.Min();
    }
}
