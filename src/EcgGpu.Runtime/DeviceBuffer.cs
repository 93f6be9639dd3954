using System.Runtime.InteropServices;

namespace EcgGpu.Runtime;

/// <summary>Untyped device memory owned by one accelerator; what a kernel argument points at.</summary>
public abstract class DeviceMemory : IDisposable
{
    protected DeviceMemory(Accelerator accelerator, long byteLength)
    {
        Accelerator = accelerator;
        ByteLength = byteLength;
    }

    public Accelerator Accelerator { get; }
    public long ByteLength { get; }
    public bool IsDisposed { get; private set; }

    protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(IsDisposed, this);

    internal void ThrowIfDisposedInternal() => ThrowIfDisposed();

    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        Release();
        Accelerator.Memory.Released(ByteLength);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the native allocation; called once.</summary>
    protected abstract void Release();
}

/// <summary>
/// A typed array on an accelerator. Upload and download block until the data has moved;
/// kernels enqueued before them are ordered first (the queue is in order).
/// </summary>
public abstract class DeviceBuffer<T> : DeviceMemory where T : unmanaged
{
    protected DeviceBuffer(Accelerator accelerator, long length)
        : base(accelerator, checked(length * Marshal.SizeOf<T>()))
    {
        Length = length;
    }

    /// <summary>Number of elements.</summary>
    public long Length { get; }

    public static int ElementSize => Marshal.SizeOf<T>();

    /// <summary>Copies <paramref name="source"/> into the buffer starting at element <paramref name="offset"/>.</summary>
    public void Upload(ReadOnlySpan<T> source, long offset = 0)
    {
        ThrowIfDisposed();
        CheckRange(offset, source.Length, nameof(source));
        if (source.Length > 0) UploadCore(source, offset);
    }

    /// <summary>Copies elements starting at <paramref name="offset"/> into <paramref name="destination"/>.</summary>
    public void Download(Span<T> destination, long offset = 0)
    {
        ThrowIfDisposed();
        CheckRange(offset, destination.Length, nameof(destination));
        if (destination.Length > 0) DownloadCore(destination, offset);
    }

    /// <summary>Downloads the whole buffer into a new array.</summary>
    public T[] ToArray()
    {
        var result = new T[Length];
        Download(result);
        return result;
    }

    /// <summary>Copies <paramref name="count"/> elements of <paramref name="source"/> (same accelerator) into this buffer.</summary>
    public void CopyFrom(DeviceBuffer<T> source, long sourceOffset = 0, long offset = 0, long count = -1)
    {
        ThrowIfDisposed();
        if (!ReferenceEquals(source.Accelerator, Accelerator))
            throw new ArgumentException("source buffer belongs to another accelerator; download and upload instead", nameof(source));
        if (count < 0) count = Math.Min(source.Length - sourceOffset, Length - offset);
        source.CheckRange(sourceOffset, count, nameof(source));
        CheckRange(offset, count, nameof(count));
        if (count > 0) CopyFromCore(source, sourceOffset, offset, count);
    }

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public void Fill(T value)
    {
        ThrowIfDisposed();
        if (Length > 0) FillCore(value);
    }

    private void CheckRange(long offset, long count, string argument)
    {
        if (offset < 0 || count < 0 || offset + count > Length)
            throw new ArgumentOutOfRangeException(argument, $"range [{offset}, {offset + count}) lies outside the buffer of {Length} elements");
    }

    protected abstract void UploadCore(ReadOnlySpan<T> source, long offset);
    protected abstract void DownloadCore(Span<T> destination, long offset);
    protected abstract void CopyFromCore(DeviceBuffer<T> source, long sourceOffset, long offset, long count);
    /// <summary>Fills by uploading a host array: for element sizes a native fill does not take.</summary>
    protected void FillThroughHost(T value)
    {
        var host = new T[Length];
        host.AsSpan().Fill(value);
        UploadCore(host, 0);
    }

    protected abstract void FillCore(T value);
}
