using System.Runtime.InteropServices;

namespace EcgGpu.Runtime.OpenCL;

/// <summary>The OpenCL 1.2 calls EcgGpu uses, bound to the ICD loader (<c>libOpenCL.so.1</c>).</summary>
internal static unsafe partial class Cl
{
    public const ulong DeviceTypeAll = 0xFFFFFFFF;
    public const ulong DeviceTypeCpu = 1 << 1;
    public const ulong DeviceTypeGpu = 1 << 2;
    public const uint PlatformName = 0x0902, PlatformVendor = 0x0903, PlatformVersion = 0x0901;
    public const uint DeviceType = 0x1000, DeviceMaxComputeUnits = 0x1002, DeviceMaxWorkGroupSize = 0x1004,
        DeviceMaxMemAllocSize = 0x1010, DeviceGlobalMemSize = 0x101F, DeviceLocalMemSize = 0x1023,
        DeviceName = 0x102B, DeviceVendor = 0x102C, DriverVersion = 0x102D, DeviceVersion = 0x102F;
    public const ulong QueueProfilingEnable = 1 << 1;
    public const ulong MemReadWrite = 1 << 0;
    public const uint ProgramBuildLog = 0x1183, ProgramBinarySizes = 0x1165, ProgramBinaries = 0x1166;
    public const uint ProfilingCommandEnd = 0x1283;

    [LibraryImport(NativeLibraries.OpenCL)] public static partial int clGetPlatformIDs(uint numEntries, nint* platforms, uint* numPlatforms);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial int clGetPlatformInfo(nint platform, uint param, nuint size, void* value, nuint* sizeRet);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial int clGetDeviceIDs(nint platform, ulong type, uint numEntries, nint* devices, uint* numDevices);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial int clGetDeviceInfo(nint device, uint param, nuint size, void* value, nuint* sizeRet);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial nint clCreateContext(nint* properties, uint numDevices, nint* devices, nint notify, nint userData, int* error);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial int clReleaseContext(nint context);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial nint clCreateCommandQueue(nint context, nint device, ulong properties, int* error);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial int clReleaseCommandQueue(nint queue);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial nint clCreateBuffer(nint context, ulong flags, nuint size, void* hostPtr, int* error);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial int clReleaseMemObject(nint memory);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial int clEnqueueWriteBuffer(nint queue, nint buffer, uint blocking, nuint offset, nuint size, void* ptr, uint numEvents, nint* waitList, nint* evt);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial int clEnqueueReadBuffer(nint queue, nint buffer, uint blocking, nuint offset, nuint size, void* ptr, uint numEvents, nint* waitList, nint* evt);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial int clEnqueueCopyBuffer(nint queue, nint src, nint dst, nuint srcOffset, nuint dstOffset, nuint size, uint numEvents, nint* waitList, nint* evt);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial int clEnqueueFillBuffer(nint queue, nint buffer, void* pattern, nuint patternSize, nuint offset, nuint size, uint numEvents, nint* waitList, nint* evt);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial nint clCreateProgramWithSource(nint context, uint count, byte** strings, nuint* lengths, int* error);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial nint clCreateProgramWithBinary(nint context, uint numDevices, nint* devices, nuint* lengths, byte** binaries, int* binaryStatus, int* error);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial int clBuildProgram(nint program, uint numDevices, nint* devices, byte* options, nint notify, nint userData);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial int clGetProgramBuildInfo(nint program, nint device, uint param, nuint size, void* value, nuint* sizeRet);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial int clGetProgramInfo(nint program, uint param, nuint size, void* value, nuint* sizeRet);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial int clReleaseProgram(nint program);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial nint clCreateKernel(nint program, byte* name, int* error);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial int clReleaseKernel(nint kernel);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial int clSetKernelArg(nint kernel, uint index, nuint size, void* value);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial int clEnqueueNDRangeKernel(nint queue, nint kernel, uint workDim, nuint* offset, nuint* global, nuint* local, uint numEvents, nint* waitList, nint* evt);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial int clFinish(nint queue);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial int clEnqueueMarkerWithWaitList(nint queue, uint numEvents, nint* waitList, nint* evt);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial int clWaitForEvents(uint numEvents, nint* events);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial int clGetEventProfilingInfo(nint evt, uint param, nuint size, void* value, nuint* sizeRet);
    [LibraryImport(NativeLibraries.OpenCL)] public static partial int clReleaseEvent(nint evt);

    /// <summary>Throws a <see cref="NativeCallException"/> naming the call unless <paramref name="code"/> is CL_SUCCESS.</summary>
    public static void Check(int code, string call, string? detail = null)
    {
        if (code != 0) throw new NativeCallException(AcceleratorKind.OpenCL, call, code, ErrorName(code), detail);
    }

    public static string ErrorName(int code) => code switch
    {
        0 => "CL_SUCCESS", -1 => "CL_DEVICE_NOT_FOUND", -2 => "CL_DEVICE_NOT_AVAILABLE", -3 => "CL_COMPILER_NOT_AVAILABLE",
        -4 => "CL_MEM_OBJECT_ALLOCATION_FAILURE", -5 => "CL_OUT_OF_RESOURCES", -6 => "CL_OUT_OF_HOST_MEMORY",
        -7 => "CL_PROFILING_INFO_NOT_AVAILABLE", -8 => "CL_MEM_COPY_OVERLAP", -11 => "CL_BUILD_PROGRAM_FAILURE",
        -12 => "CL_MAP_FAILURE", -13 => "CL_MISALIGNED_SUB_BUFFER_OFFSET", -14 => "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST",
        -30 => "CL_INVALID_VALUE", -31 => "CL_INVALID_DEVICE_TYPE", -32 => "CL_INVALID_PLATFORM", -33 => "CL_INVALID_DEVICE",
        -34 => "CL_INVALID_CONTEXT", -35 => "CL_INVALID_QUEUE_PROPERTIES", -36 => "CL_INVALID_COMMAND_QUEUE",
        -37 => "CL_INVALID_HOST_PTR", -38 => "CL_INVALID_MEM_OBJECT", -42 => "CL_INVALID_BINARY", -43 => "CL_INVALID_BUILD_OPTIONS",
        -44 => "CL_INVALID_PROGRAM", -45 => "CL_INVALID_PROGRAM_EXECUTABLE", -46 => "CL_INVALID_KERNEL_NAME",
        -47 => "CL_INVALID_KERNEL_DEFINITION", -48 => "CL_INVALID_KERNEL", -49 => "CL_INVALID_ARG_INDEX",
        -50 => "CL_INVALID_ARG_VALUE", -51 => "CL_INVALID_ARG_SIZE", -52 => "CL_INVALID_KERNEL_ARGS",
        -53 => "CL_INVALID_WORK_DIMENSION", -54 => "CL_INVALID_WORK_GROUP_SIZE", -55 => "CL_INVALID_WORK_ITEM_SIZE",
        -56 => "CL_INVALID_GLOBAL_OFFSET", -57 => "CL_INVALID_EVENT_WAIT_LIST", -58 => "CL_INVALID_EVENT",
        -59 => "CL_INVALID_OPERATION", -61 => "CL_INVALID_BUFFER_SIZE", -63 => "CL_INVALID_GLOBAL_WORK_SIZE",
        -64 => "CL_INVALID_PROPERTY", -66 => "CL_INVALID_COMPILER_OPTIONS", -1001 => "CL_PLATFORM_NOT_FOUND_KHR",
        _ => "CL_UNKNOWN_ERROR",
    };

    public static string PlatformString(nint platform, uint param)
    {
        nuint size;
        Check(clGetPlatformInfo(platform, param, 0, null, &size), "clGetPlatformInfo");
        var bytes = new byte[(int)size];
        fixed (byte* p = bytes) Check(clGetPlatformInfo(platform, param, size, p, null), "clGetPlatformInfo");
        return DecodeString(bytes);
    }

    public static string DeviceString(nint device, uint param)
    {
        nuint size;
        Check(clGetDeviceInfo(device, param, 0, null, &size), "clGetDeviceInfo");
        var bytes = new byte[(int)size];
        fixed (byte* p = bytes) Check(clGetDeviceInfo(device, param, size, p, null), "clGetDeviceInfo");
        return DecodeString(bytes);
    }

    public static T DeviceValue<T>(nint device, uint param) where T : unmanaged
    {
        T value = default;
        Check(clGetDeviceInfo(device, param, (nuint)sizeof(T), &value, null), "clGetDeviceInfo");
        return value;
    }

    public static string DecodeString(ReadOnlySpan<byte> bytes)
    {
        int end = bytes.IndexOf((byte)0);
        return System.Text.Encoding.UTF8.GetString(end >= 0 ? bytes[..end] : bytes).Trim();
    }
}
