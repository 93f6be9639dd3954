using System.Runtime.InteropServices;
using System.Text;

namespace EcgGpu.Runtime.Cuda;

/// <summary>
/// An NVIDIA GPU through the driver API: the device's primary context, one stream (in order), kernels
/// compiled by NVRTC to PTX for the device's compute capability and loaded as modules.
/// </summary>
public sealed unsafe class CudaAccelerator : Accelerator
{
    private nint _context;
    private nint _stream;

    internal CudaAccelerator(DeviceInfo device, int ordinal) : base(device)
    {
        Ordinal = ordinal;
        int dev;
        Cu.Check(Cu.cuDeviceGet(&dev, ordinal), "cuDeviceGet");
        CuDevice = dev;
        nint ctx;
        Cu.Check(Cu.cuDevicePrimaryCtxRetain(&ctx, dev), "cuDevicePrimaryCtxRetain", device.Name);
        _context = ctx;
        MakeCurrent();
        nint stream;
        Cu.Check(Cu.cuStreamCreate(&stream, 0), "cuStreamCreate");
        _stream = stream;
        int value;
        Cu.Check(Cu.cuDeviceGetAttribute(&value, Cu.AttrMaxThreadsPerBlock, dev), "cuDeviceGetAttribute");
        MaxWorkGroupSize = value;
        Cu.Check(Cu.cuDeviceGetAttribute(&value, Cu.AttrMaxSharedMemoryPerBlock, dev), "cuDeviceGetAttribute");
        LocalMemoryBytes = value;
        int major, minor;
        Cu.Check(Cu.cuDeviceGetAttribute(&major, Cu.AttrComputeCapabilityMajor, dev), "cuDeviceGetAttribute");
        Cu.Check(Cu.cuDeviceGetAttribute(&minor, Cu.AttrComputeCapabilityMinor, dev), "cuDeviceGetAttribute");
        ComputeCapability = major * 10 + minor;
    }

    public int Ordinal { get; }
    internal int CuDevice { get; }
    internal nint Stream => _stream;

    /// <summary>Compute capability as major*10+minor (90 for Hopper).</summary>
    public int ComputeCapability { get; }

    public override int MaxWorkGroupSize { get; }
    public override long LocalMemoryBytes { get; }

    /// <summary>Binds the primary context to the calling thread (driver API contexts are per thread).</summary>
    internal void MakeCurrent() => Cu.Check(Cu.cuCtxSetCurrent(_context), "cuCtxSetCurrent");

    protected override DeviceBuffer<T> AllocateCore<T>(long length)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        MakeCurrent();
        return new CudaBuffer<T>(this, length);
    }

    public override void Synchronize()
    {
        MakeCurrent();
        Cu.Check(Cu.cuStreamSynchronize(_stream), "cuStreamSynchronize");
    }

    public override DeviceEvent RecordEvent()
    {
        MakeCurrent();
        nint evt;
        Cu.Check(Cu.cuEventCreate(&evt, 0), "cuEventCreate");
        Cu.Check(Cu.cuEventRecord(evt, _stream), "cuEventRecord");
        return new CudaEvent(evt);
    }

    protected override CompiledProgram Compile(KernelProgram program)
    {
        if (!NativeLibraries.TryLoad(NativeLibraries.Nvrtc, out _, out var missing))
            throw new InvalidOperationException($"cuda: cannot compile '{program.Name}': {missing}");
        MakeCurrent();
        int arch = Nvrtc.TargetArchitecture(ComputeCapability);
        string[] options = [$"--gpu-architecture=compute_{arch}", "--use_fast_math", "--std=c++14", "-default-device"];
        var nvrtcVersion = Nvrtc.Version();
        var key = KernelDiskCache.Key(program, $"{Device.Name}|sm_{ComputeCapability}", $"{Device.DriverVersion}|nvrtc {nvrtcVersion}", string.Join(' ', options));
        var ptx = KernelDiskCache.TryRead(key, ".ptx");
        bool fromCache = ptx is not null;
        ptx ??= CompileToPtx(program, options);
        nint module;
        int code;
        fixed (byte* image = ptx) code = Cu.cuModuleLoadData(&module, image);
        if (code != 0 && fromCache)
        {
            // A stale cache entry must not break a build: compile afresh.
            ptx = CompileToPtx(program, options);
            fromCache = false;
            fixed (byte* image = ptx) code = Cu.cuModuleLoadData(&module, image);
        }
        Cu.Check(code, "cuModuleLoadData", $"{program.Name} (PTX for compute_{arch} from NVRTC {nvrtcVersion}; driver {Device.DriverVersion})");
        if (!fromCache) KernelDiskCache.TryWrite(key, ".ptx", ptx);
        return new CudaProgram(this, module);
    }

    private static byte[] CompileToPtx(KernelProgram program, string[] options)
    {
        var src = Encoding.UTF8.GetBytes(program.FullText() + "\0");
        var name = Encoding.UTF8.GetBytes(program.Name + "\0");
        nint prog;
        fixed (byte* s = src) fixed (byte* n = name)
            Nvrtc.Check(Nvrtc.nvrtcCreateProgram(&prog, s, n, 0, null, null), "nvrtcCreateProgram", program.Name);
        try
        {
            var optionBytes = options.Select(o => Encoding.ASCII.GetBytes(o + "\0")).ToArray();
            var handles = optionBytes.Select(b => GCHandle.Alloc(b, GCHandleType.Pinned)).ToArray();
            int result;
            try
            {
                var pointers = stackalloc byte*[handles.Length];
                for (int i = 0; i < handles.Length; i++) pointers[i] = (byte*)handles[i].AddrOfPinnedObject();
                result = Nvrtc.nvrtcCompileProgram(prog, handles.Length, pointers);
            }
            finally { foreach (var h in handles) h.Free(); }
            if (result == Nvrtc.CompilationError)
                throw new KernelCompileException(AcceleratorKind.Cuda, program.Name, Log(prog), program.Source);
            Nvrtc.Check(result, "nvrtcCompileProgram", program.Name + ": " + Log(prog));
            nuint size;
            Nvrtc.Check(Nvrtc.nvrtcGetPTXSize(prog, &size), "nvrtcGetPTXSize");
            var ptx = new byte[(int)size];
            fixed (byte* p = ptx) Nvrtc.Check(Nvrtc.nvrtcGetPTX(prog, p), "nvrtcGetPTX");
            return ptx;
        }
        finally { Nvrtc.nvrtcDestroyProgram(&prog); }
    }

    private static string Log(nint prog)
    {
        nuint size;
        if (Nvrtc.nvrtcGetProgramLogSize(prog, &size) != 0 || size == 0) return "(no log)";
        var bytes = new byte[(int)size];
        fixed (byte* p = bytes) Nvrtc.nvrtcGetProgramLog(prog, p);
        return Encoding.UTF8.GetString(bytes).TrimEnd('\0');
    }

    protected override void DisposeCore()
    {
        if (_context == 0) return;
        MakeCurrent();
        Cu.cuStreamSynchronize(_stream);
        Cu.cuStreamDestroy(_stream);
        Cu.cuDevicePrimaryCtxRelease(CuDevice);
        _stream = 0;
        _context = 0;
    }

    private sealed class CudaEvent(nint handle) : DeviceEvent
    {
        private nint _handle = handle;

        public override double ElapsedMillisecondsSince(DeviceEvent start)
        {
            Cu.Check(Cu.cuEventSynchronize(_handle), "cuEventSynchronize");
            float ms;
            Cu.Check(Cu.cuEventElapsedTime(&ms, ((CudaEvent)start)._handle, _handle), "cuEventElapsedTime");
            return ms;
        }

        public override void Dispose()
        {
            if (_handle != 0) { Cu.cuEventDestroy(_handle); _handle = 0; }
        }
    }
}

internal sealed unsafe class CudaBuffer<T> : DeviceBuffer<T> where T : unmanaged
{
    private readonly CudaAccelerator _acc;
    private ulong _pointer;

    public CudaBuffer(CudaAccelerator accelerator, long length) : base(accelerator, length)
    {
        _acc = accelerator;
        ulong ptr;
        Cu.Check(Cu.cuMemAlloc(&ptr, (nuint)Math.Max(ByteLength, ElementSize)), "cuMemAlloc", $"{ByteLength} bytes");
        _pointer = ptr;
    }

    internal override ulong NativeHandle => _pointer;

    private static nuint Bytes(long elements) => (nuint)(elements * ElementSize);
    private ulong At(long element) => _pointer + (ulong)(element * ElementSize);

    protected override void UploadCore(ReadOnlySpan<T> source, long offset)
    {
        _acc.MakeCurrent();
        fixed (T* p = source)
        {
            Cu.Check(Cu.cuMemcpyHtoDAsync(At(offset), p, Bytes(source.Length), _acc.Stream), "cuMemcpyHtoDAsync");
            // The host span is only pinned for this call: wait before it can move.
            Cu.Check(Cu.cuStreamSynchronize(_acc.Stream), "cuStreamSynchronize");
        }
    }

    protected override void DownloadCore(Span<T> destination, long offset)
    {
        _acc.MakeCurrent();
        fixed (T* p = destination)
        {
            Cu.Check(Cu.cuMemcpyDtoHAsync(p, At(offset), Bytes(destination.Length), _acc.Stream), "cuMemcpyDtoHAsync");
            Cu.Check(Cu.cuStreamSynchronize(_acc.Stream), "cuStreamSynchronize");
        }
    }

    protected override void CopyFromCore(DeviceBuffer<T> source, long sourceOffset, long offset, long count)
    {
        _acc.MakeCurrent();
        var src = (CudaBuffer<T>)source;
        Cu.Check(Cu.cuMemcpyDtoDAsync(At(offset), src.At(sourceOffset), Bytes(count), _acc.Stream), "cuMemcpyDtoDAsync");
    }

    protected override void FillCore(T value)
    {
        _acc.MakeCurrent();
        switch (ElementSize)
        {
            case 4: Cu.Check(Cu.cuMemsetD32Async(_pointer, *(uint*)&value, (nuint)Length, _acc.Stream), "cuMemsetD32Async"); break;
            case 2: Cu.Check(Cu.cuMemsetD16Async(_pointer, *(ushort*)&value, (nuint)Length, _acc.Stream), "cuMemsetD16Async"); break;
            case 1: Cu.Check(Cu.cuMemsetD8Async(_pointer, *(byte*)&value, (nuint)Length, _acc.Stream), "cuMemsetD8Async"); break;
            default: FillThroughHost(value); break;
        }
    }

    protected override void Release()
    {
        if (_pointer != 0 && !_acc.IsDisposed)
        {
            _acc.MakeCurrent();
            Cu.cuMemFree(_pointer);
        }
        _pointer = 0;
    }
}

internal sealed unsafe class CudaProgram(CudaAccelerator accelerator, nint module) : CompiledProgram
{
    private nint _module = module;

    protected override DeviceKernel CreateKernel(string name)
    {
        var bytes = Encoding.ASCII.GetBytes(name + "\0");
        nint function;
        accelerator.MakeCurrent();
        fixed (byte* n = bytes) Cu.Check(Cu.cuModuleGetFunction(&function, _module, n), "cuModuleGetFunction", name);
        return new CudaKernel(accelerator, name, function);
    }

    public override void Dispose()
    {
        if (_module == 0) return;
        accelerator.MakeCurrent();
        Cu.cuModuleUnload(_module);
        _module = 0;
    }
}

internal sealed unsafe class CudaKernel(CudaAccelerator accelerator, string name, nint function) : DeviceKernel(name)
{
    protected override void LaunchCore(NDRange global, NDRange local, ReadOnlySpan<KernelArg> args)
    {
        // cuLaunchKernel takes an array of pointers to each argument's value.
        var values = stackalloc ulong[args.Length];
        var pointers = stackalloc void*[args.Length];
        for (int i = 0; i < args.Length; i++)
        {
            var a = args[i];
            switch (a.Kind)
            {
                case KernelArg.ArgKind.Buffer:
                    if (!ReferenceEquals(a.Memory!.Accelerator, accelerator))
                        throw new ArgumentException($"argument {i} of kernel '{Name}' is a buffer of another accelerator ({a.Memory.Accelerator})");
                    a.Memory.ThrowIfDisposedInternal();
                    values[i] = a.Memory.NativeHandle;
                    break;
                case KernelArg.ArgKind.Float32:
                    *(float*)&values[i] = a.FloatValue;
                    break;
                default:
                    *(int*)&values[i] = a.IntValue;
                    break;
            }
            pointers[i] = &values[i];
        }
        accelerator.MakeCurrent();
        Cu.Check(Cu.cuLaunchKernel(function,
                (uint)(global.X / local.X), (uint)(global.Y / local.Y), (uint)(global.Z / local.Z),
                (uint)local.X, (uint)local.Y, (uint)local.Z, 0, accelerator.Stream, pointers, null),
            "cuLaunchKernel", $"kernel '{Name}' global {global} local {local}");
    }
}
