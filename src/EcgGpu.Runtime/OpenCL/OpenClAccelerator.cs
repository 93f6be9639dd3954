using System.Text;

namespace EcgGpu.Runtime.OpenCL;

/// <summary>An OpenCL device with one in-order, profiling-enabled command queue.</summary>
public sealed unsafe class OpenClAccelerator : Accelerator
{
    private nint _context;
    private nint _queue;

    internal OpenClAccelerator(DeviceInfo device, nint platformId, nint deviceId) : base(device)
    {
        PlatformId = platformId;
        DeviceId = deviceId;
        int error;
        nint dev = deviceId;
        _context = Cl.clCreateContext(null, 1, &dev, 0, 0, &error);
        Cl.Check(error, "clCreateContext", device.Name);
        _queue = Cl.clCreateCommandQueue(_context, deviceId, Cl.QueueProfilingEnable, &error);
        if (error != 0)
        {
            Cl.clReleaseContext(_context);
            Cl.Check(error, "clCreateCommandQueue", device.Name);
        }
        MaxWorkGroupSize = (int)Math.Min(int.MaxValue, (ulong)Cl.DeviceValue<nuint>(deviceId, Cl.DeviceMaxWorkGroupSize));
        LocalMemoryBytes = (long)Cl.DeviceValue<ulong>(deviceId, Cl.DeviceLocalMemSize);
    }

    internal nint PlatformId { get; }
    internal nint DeviceId { get; }
    internal nint Context => _context;
    internal nint Queue => _queue;

    public override int MaxWorkGroupSize { get; }
    public override long LocalMemoryBytes { get; }

    protected override DeviceBuffer<T> AllocateCore<T>(long length)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new OpenClBuffer<T>(this, length);
    }

    public override void Synchronize() => Cl.Check(Cl.clFinish(_queue), "clFinish");

    public override DeviceEvent RecordEvent()
    {
        nint evt;
        Cl.Check(Cl.clEnqueueMarkerWithWaitList(_queue, 0, null, &evt), "clEnqueueMarkerWithWaitList");
        return new OpenClEvent(evt);
    }

    protected override CompiledProgram Compile(KernelProgram program)
    {
        const string options = "-cl-std=CL1.2 -cl-mad-enable";
        var text = program.FullText();
        var key = KernelDiskCache.Key(program, $"{Device.Vendor}|{Device.Name}", Device.DriverVersion, options);
        var cached = KernelDiskCache.TryRead(key, ".clbin");
        if (cached is not null && TryBuildFromBinary(cached, options) is { } fromBinary)
            return new OpenClProgram(this, fromBinary);

        var bytes = Encoding.UTF8.GetBytes(text);
        int error;
        nint prog;
        fixed (byte* src = bytes)
        {
            byte* s = src;
            nuint len = (nuint)bytes.Length;
            prog = Cl.clCreateProgramWithSource(_context, 1, &s, &len, &error);
        }
        Cl.Check(error, "clCreateProgramWithSource", program.Name);
        int build = Build(prog, options);
        if (build != 0)
        {
            var log = BuildLog(prog);
            Cl.clReleaseProgram(prog);
            if (build == -11) throw new KernelCompileException(AcceleratorKind.OpenCL, program.Name, log, program.Source);
            Cl.Check(build, "clBuildProgram", $"{program.Name}: {log}");
        }
        if (ReadBinary(prog) is { } binary) KernelDiskCache.TryWrite(key, ".clbin", binary);
        return new OpenClProgram(this, prog);
    }

    private int Build(nint prog, string options)
    {
        var opt = Encoding.ASCII.GetBytes(options + "\0");
        nint dev = DeviceId;
        fixed (byte* o = opt) return Cl.clBuildProgram(prog, 1, &dev, o, 0, 0);
    }

    private nint? TryBuildFromBinary(byte[] binary, string options)
    {
        int error, status;
        nint dev = DeviceId;
        nuint len = (nuint)binary.Length;
        nint prog;
        fixed (byte* b = binary)
        {
            byte* p = b;
            prog = Cl.clCreateProgramWithBinary(_context, 1, &dev, &len, &p, &status, &error);
        }
        if (error != 0 || status != 0) return null;
        if (Build(prog, options) != 0) { Cl.clReleaseProgram(prog); return null; }
        return prog;
    }

    private byte[]? ReadBinary(nint prog)
    {
        nuint size;
        if (Cl.clGetProgramInfo(prog, Cl.ProgramBinarySizes, (nuint)sizeof(nuint), &size, null) != 0 || size == 0) return null;
        var binary = new byte[(int)size];
        fixed (byte* b = binary)
        {
            byte* p = b;
            if (Cl.clGetProgramInfo(prog, Cl.ProgramBinaries, (nuint)sizeof(nint), &p, null) != 0) return null;
        }
        return binary;
    }

    private string BuildLog(nint prog)
    {
        nuint size;
        if (Cl.clGetProgramBuildInfo(prog, DeviceId, Cl.ProgramBuildLog, 0, null, &size) != 0) return "(no build log)";
        var bytes = new byte[(int)size];
        fixed (byte* p = bytes) Cl.clGetProgramBuildInfo(prog, DeviceId, Cl.ProgramBuildLog, size, p, null);
        return Cl.DecodeString(bytes);
    }

    protected override void DisposeCore()
    {
        if (_queue != 0) { Cl.clFinish(_queue); Cl.clReleaseCommandQueue(_queue); _queue = 0; }
        if (_context != 0) { Cl.clReleaseContext(_context); _context = 0; }
    }

    private sealed class OpenClEvent(nint handle) : DeviceEvent
    {
        private nint _handle = handle;

        public override double ElapsedMillisecondsSince(DeviceEvent start)
        {
            var s = (OpenClEvent)start;
            nint* both = stackalloc nint[2] { s._handle, _handle };
            Cl.Check(Cl.clWaitForEvents(2, both), "clWaitForEvents");
            ulong t0, t1;
            Cl.Check(Cl.clGetEventProfilingInfo(s._handle, Cl.ProfilingCommandEnd, sizeof(ulong), &t0, null), "clGetEventProfilingInfo");
            Cl.Check(Cl.clGetEventProfilingInfo(_handle, Cl.ProfilingCommandEnd, sizeof(ulong), &t1, null), "clGetEventProfilingInfo");
            return (t1 - (double)t0) / 1e6;
        }

        public override void Dispose()
        {
            if (_handle != 0) { Cl.clReleaseEvent(_handle); _handle = 0; }
        }
    }
}

internal sealed unsafe class OpenClBuffer<T> : DeviceBuffer<T> where T : unmanaged
{
    private readonly OpenClAccelerator _acc;

    public OpenClBuffer(OpenClAccelerator accelerator, long length) : base(accelerator, length)
    {
        _acc = accelerator;
        int error;
        // A zero-sized cl_mem is invalid; keep one element behind an empty buffer.
        Handle = Cl.clCreateBuffer(accelerator.Context, Cl.MemReadWrite, (nuint)Math.Max(ByteLength, ElementSize), null, &error);
        Cl.Check(error, "clCreateBuffer", $"{ByteLength} bytes");
    }

    internal nint Handle { get; private set; }

    internal override ulong NativeHandle => (ulong)Handle;

    private static nuint Bytes(long elements) => (nuint)(elements * ElementSize);

    protected override void UploadCore(ReadOnlySpan<T> source, long offset)
    {
        fixed (T* p = source)
            Cl.Check(Cl.clEnqueueWriteBuffer(_acc.Queue, Handle, 1, Bytes(offset), Bytes(source.Length), p, 0, null, null), "clEnqueueWriteBuffer");
    }

    protected override void DownloadCore(Span<T> destination, long offset)
    {
        fixed (T* p = destination)
            Cl.Check(Cl.clEnqueueReadBuffer(_acc.Queue, Handle, 1, Bytes(offset), Bytes(destination.Length), p, 0, null, null), "clEnqueueReadBuffer");
    }

    protected override void CopyFromCore(DeviceBuffer<T> source, long sourceOffset, long offset, long count)
        => Cl.Check(Cl.clEnqueueCopyBuffer(_acc.Queue, ((OpenClBuffer<T>)source).Handle, Handle, Bytes(sourceOffset), Bytes(offset), Bytes(count), 0, null, null), "clEnqueueCopyBuffer");

    protected override void FillCore(T value)
    {
        if (ElementSize is 1 or 2 or 4 or 8 or 16)
        {
            Cl.Check(Cl.clEnqueueFillBuffer(_acc.Queue, Handle, &value, (nuint)ElementSize, 0, Bytes(Length), 0, null, null), "clEnqueueFillBuffer");
            return;
        }
        FillThroughHost(value);
    }

    protected override void Release()
    {
        if (Handle != 0 && !_acc.IsDisposed) Cl.clReleaseMemObject(Handle);
        Handle = 0;
    }
}

internal sealed unsafe class OpenClProgram(OpenClAccelerator accelerator, nint handle) : CompiledProgram
{
    private nint _handle = handle;

    protected override DeviceKernel CreateKernel(string name)
    {
        var bytes = Encoding.ASCII.GetBytes(name + "\0");
        int error;
        nint kernel;
        fixed (byte* n = bytes) kernel = Cl.clCreateKernel(_handle, n, &error);
        Cl.Check(error, "clCreateKernel", name);
        return new OpenClKernel(accelerator, name, kernel);
    }

    public override void Dispose()
    {
        foreach (var k in CreatedKernels) ((OpenClKernel)k).Release();
        if (_handle != 0) { Cl.clReleaseProgram(_handle); _handle = 0; }
    }
}

internal sealed unsafe class OpenClKernel(OpenClAccelerator accelerator, string name, nint handle) : DeviceKernel(name)
{
    private nint _handle = handle;
    // clSetKernelArg mutates the kernel object: launches of one kernel are serialised.
    private readonly object _gate = new();

    protected override void LaunchCore(NDRange global, NDRange local, ReadOnlySpan<KernelArg> args)
    {
        lock (_gate)
        {
            for (int i = 0; i < args.Length; i++)
            {
                var a = args[i];
                int code;
                switch (a.Kind)
                {
                    case KernelArg.ArgKind.Buffer:
                        if (!ReferenceEquals(a.Memory!.Accelerator, accelerator))
                            throw new ArgumentException($"argument {i} of kernel '{Name}' is a buffer of another accelerator ({a.Memory.Accelerator})");
                        a.Memory.ThrowIfDisposedInternal();
                        nint mem = (nint)a.Memory.NativeHandle;
                        code = Cl.clSetKernelArg(_handle, (uint)i, (nuint)sizeof(nint), &mem);
                        break;
                    case KernelArg.ArgKind.Float32:
                        float f = a.FloatValue;
                        code = Cl.clSetKernelArg(_handle, (uint)i, sizeof(float), &f);
                        break;
                    default:
                        int v = a.IntValue;
                        code = Cl.clSetKernelArg(_handle, (uint)i, sizeof(int), &v);
                        break;
                }
                Cl.Check(code, "clSetKernelArg", $"kernel '{Name}' argument {i} ({a})");
            }
            int dims = Math.Max(global.Dimensions, local.Dimensions);
            nuint* g = stackalloc nuint[3] { (nuint)global.X, (nuint)global.Y, (nuint)global.Z };
            nuint* l = stackalloc nuint[3] { (nuint)local.X, (nuint)local.Y, (nuint)local.Z };
            Cl.Check(Cl.clEnqueueNDRangeKernel(accelerator.Queue, _handle, (uint)dims, null, g, l, 0, null, null),
                "clEnqueueNDRangeKernel", $"kernel '{Name}' global {global} local {local}");
        }
    }

    public void Release()
    {
        if (_handle != 0) { Cl.clReleaseKernel(_handle); _handle = 0; }
    }
}
