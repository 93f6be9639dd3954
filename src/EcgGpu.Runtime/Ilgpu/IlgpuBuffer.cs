using ILGPU;
using ILGPU.Runtime;

namespace EcgGpu.Runtime.Ilgpu;

/// <summary>A buffer of an ILGPU accelerator: one dense 1-D ILGPU memory buffer, whose view kernels take.</summary>
public sealed class IlgpuBuffer<T> : DeviceBuffer<T> where T : unmanaged
{
    private MemoryBuffer1D<T, Stride1D.Dense>? _buffer;
    private readonly IlgpuAccelerator _accelerator;

    internal IlgpuBuffer(IlgpuAccelerator accelerator, long length) : base(accelerator, length)
    {
        _accelerator = accelerator;
        // ILGPU refuses zero-length buffers on some accelerators; keep one element and expose none.
        _buffer = accelerator.Native.Allocate1D<T>(Math.Max(1, length));
    }

    /// <summary>The whole buffer as the dense view a kernel takes.</summary>
    public ArrayView<T> View
    {
        get
        {
            ThrowIfDisposed();
            return Length == 0 ? _buffer!.View.SubView(0, 0) : _buffer!.View;
        }
    }

    private AcceleratorStream Stream => _accelerator.Stream;

    protected override void UploadCore(ReadOnlySpan<T> source, long offset)
    {
        View.SubView(offset, source.Length).CopyFromCPU(Stream, source);
        Stream.Synchronize(); // the caller may reuse the span as soon as Upload returns
    }

    protected override void DownloadCore(Span<T> destination, long offset)
    {
        View.SubView(offset, destination.Length).CopyToCPU(Stream, destination);
        Stream.Synchronize();
    }

    protected override void CopyFromCore(DeviceBuffer<T> source, long sourceOffset, long offset, long count)
        => ((IlgpuBuffer<T>)source).View.SubView(sourceOffset, count).CopyTo(Stream, View.SubView(offset, count));

    protected override void FillCore(T value)
    {
        if (EqualityComparer<T>.Default.Equals(value, default)) View.MemSetToZero(Stream);
        else _accelerator.Kernels<FillKernels<T>>().Fill(Stream, Length, View, value);
    }

    protected override void Release()
    {
        _buffer?.Dispose();
        _buffer = null;
    }
}

/// <summary>Sets every element of a view to one value (for non-zero fills; zero is a memset).</summary>
internal sealed class FillKernels<T> : IKernelFamily<FillKernels<T>> where T : unmanaged
{
    private Action<AcceleratorStream, Index1D, ArrayView<T>, T> _fill = null!;

    public static FillKernels<T> Load(IlgpuAccelerator accelerator) => new()
    {
        _fill = accelerator.Native.LoadAutoGroupedKernel<Index1D, ArrayView<T>, T>(FillKernel),
    };

    public void Fill(AcceleratorStream stream, long length, ArrayView<T> view, T value) => _fill(stream, (int)length, view, value);

    private static void FillKernel(Index1D i, ArrayView<T> view, T value) => view[i] = value;
}
