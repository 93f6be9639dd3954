namespace EcgGpu.Runtime;

/// <summary>
/// An opened device: allocates buffers, runs kernels on one in-order stream, and times work with events.
/// Dispose it to release the device; buffers must be disposed first.
/// </summary>
public abstract class Accelerator : IDisposable
{
    protected Accelerator(DeviceInfo device) => Device = device;

    public DeviceInfo Device { get; }
    public AcceleratorKind Kind => Device.Kind;
    public bool IsDisposed { get; private set; }

    /// <summary>Largest work-group (thread block) the device runs.</summary>
    public abstract int MaxWorkGroupSize { get; }

    /// <summary>Shared/local memory per work-group in bytes.</summary>
    public abstract long LocalMemoryBytes { get; }

    /// <summary>Allocates <paramref name="length"/> elements (contents undefined until written).</summary>
    public DeviceBuffer<T> Allocate<T>(long length) where T : unmanaged
    {
        var buffer = AllocateCore<T>(length);
        Memory.Allocated(buffer.ByteLength);
        return buffer;
    }

    /// <summary>The backend's allocation; <see cref="Allocate{T}"/> counts what it returns.</summary>
    protected abstract DeviceBuffer<T> AllocateCore<T>(long length) where T : unmanaged;

    /// <summary>Bytes of device buffers held now, at most since the last reset, and allocations made.</summary>
    public DeviceMemoryStatistics Memory { get; } = new();

    /// <summary>Allocates a buffer holding a copy of <paramref name="data"/>.</summary>
    public DeviceBuffer<T> Upload<T>(ReadOnlySpan<T> data) where T : unmanaged
    {
        var buffer = Allocate<T>(data.Length);
        try { buffer.Upload(data); }
        catch { buffer.Dispose(); throw; }
        return buffer;
    }

    /// <summary>Waits until everything enqueued so far has finished.</summary>
    public abstract void Synchronize();

    /// <summary>Enqueues a timing event; the difference of two events is device time between them.</summary>
    public abstract DeviceEvent RecordEvent();

    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        DisposeCore();
        GC.SuppressFinalize(this);
    }

    protected abstract void DisposeCore();

    public override string ToString() => $"{Kind.ToCliName()}:{Device.KindIndex} {Device.Name}";
}

/// <summary>
/// Device memory held through <see cref="Accelerator.Allocate{T}"/>: what a training run needs at most,
/// and whether a step allocates (the allocation count does not move in steady state).
/// </summary>
public sealed class DeviceMemoryStatistics
{
    private long _current, _peak, _count;

    public long CurrentBytes => Interlocked.Read(ref _current);
    public long PeakBytes => Interlocked.Read(ref _peak);
    public long Allocations => Interlocked.Read(ref _count);

    /// <summary>Starts a new peak from what is held now.</summary>
    public void ResetPeak() => Interlocked.Exchange(ref _peak, CurrentBytes);

    internal void Allocated(long bytes)
    {
        Interlocked.Increment(ref _count);
        long now = Interlocked.Add(ref _current, bytes);
        long peak;
        while (now > (peak = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak) { }
    }

    internal void Released(long bytes) => Interlocked.Add(ref _current, -bytes);
}

/// <summary>A point in an accelerator's queue, for measuring device time.</summary>
public abstract class DeviceEvent : IDisposable
{
    /// <summary>Milliseconds of device time from <paramref name="start"/> to this event; waits for this event.</summary>
    public abstract double ElapsedMillisecondsSince(DeviceEvent start);

    public abstract void Dispose();
}
