using System.Diagnostics;

namespace EcgGpu.Runtime.Cpu;

/// <summary>
/// The managed backend: buffers are pinned-free managed arrays, and kernel families run their C#
/// implementations (SIMD loops, <c>Parallel.For</c>) synchronously, so the queue is trivially in order.
/// It runs no device code.
/// </summary>
public sealed class CpuAccelerator : Accelerator
{
    internal CpuAccelerator(DeviceInfo device) : base(device) { }

    /// <summary>A CPU accelerator without going through <see cref="Context"/>.</summary>
    public static CpuAccelerator Create() => (CpuAccelerator)CpuDevice.Describe(0).CreateAccelerator();

    public override int MaxWorkGroupSize => 1;
    public override long LocalMemoryBytes => 0;

    /// <summary>Threads used by the parallel loops of the CPU kernels.</summary>
    public int DegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Made once: every CPU kernel launch asks for it.</summary>
    public ParallelOptions ParallelOptions => _parallel ??= new() { MaxDegreeOfParallelism = DegreeOfParallelism };

    private ParallelOptions? _parallel;

    protected override DeviceBuffer<T> AllocateCore<T>(long length)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(length), $"{length} elements exceed the largest managed array");
        return new CpuBuffer<T>(this, length);
    }

    public override void Synchronize() { }

    public override DeviceEvent RecordEvent() => new CpuEvent(Stopwatch.GetTimestamp());

    protected override void DisposeCore() { }

    private sealed class CpuEvent(long timestamp) : DeviceEvent
    {
        private readonly long _timestamp = timestamp;

        public override double ElapsedMillisecondsSince(DeviceEvent start)
            => Stopwatch.GetElapsedTime(((CpuEvent)start)._timestamp, _timestamp).TotalMilliseconds;

        public override void Dispose() { }
    }
}

/// <summary>A buffer of the CPU backend: a managed array the CPU kernels read and write directly.</summary>
public sealed class CpuBuffer<T> : DeviceBuffer<T> where T : unmanaged
{
    private T[] _data;

    internal CpuBuffer(CpuAccelerator accelerator, long length) : base(accelerator, length)
        => _data = new T[length];

    /// <summary>The elements, for the CPU implementations of the kernels.</summary>
    public Span<T> Span { get { ThrowIfDisposed(); return _data; } }

    public T[] Array { get { ThrowIfDisposed(); return _data; } }

    protected override void UploadCore(ReadOnlySpan<T> source, long offset) => source.CopyTo(_data.AsSpan((int)offset));
    protected override void DownloadCore(Span<T> destination, long offset) => _data.AsSpan((int)offset, destination.Length).CopyTo(destination);
    protected override void CopyFromCore(DeviceBuffer<T> source, long sourceOffset, long offset, long count)
        => ((CpuBuffer<T>)source)._data.AsSpan((int)sourceOffset, (int)count).CopyTo(_data.AsSpan((int)offset));
    protected override void FillCore(T value) => _data.AsSpan().Fill(value);
    protected override void Release() => _data = [];
}

/// <summary>Describes the host CPU as a device.</summary>
internal static class CpuDevice
{
    public static DeviceInfo Describe(int kindIndex)
    {
        string name = "CPU";
        string vendor = "unknown";
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                {
                    if (line.StartsWith("model name", StringComparison.Ordinal)) name = line[(line.IndexOf(':') + 1)..].Trim();
                    else if (line.StartsWith("vendor_id", StringComparison.Ordinal)) vendor = line[(line.IndexOf(':') + 1)..].Trim();
                    if (name != "CPU" && vendor != "unknown") break;
                }
            }
        }
        catch (IOException) { }
        var simd = System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? "AVX-512" : System.Runtime.Intrinsics.X86.Avx2.IsSupported ? "AVX2" : $"Vector{System.Numerics.Vector<float>.Count * 32}";
        DeviceInfo? info = null;
        info = new DeviceInfo(AcceleratorKind.Cpu, kindIndex, $"{name} (managed, {simd})", vendor,
            GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, Environment.ProcessorCount,
            $".NET {Environment.Version}", isGpu: false, () => new CpuAccelerator(info!));
        return info;
    }
}
