using EcgGpu.Runtime.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace EcgGpu.Kernels;

/// <summary>ILGPU device code for batch assembly: rows (and labels) of a device-resident data set picked by index.</summary>
/// <remarks>
/// <see cref="Rows"/> flattens the batch to count·rowLength elements along grid X with a grid-stride loop
/// (the group count is capped), so consecutive threads copy consecutive floats of a row and any row count
/// launches; <see cref="Ints"/> takes one thread per label.
/// </remarks>
public static class GatherKernels
{
    /// <summary>Threads per group of <see cref="Rows"/>.</summary>
    public const int Threads = 256;

    /// <summary>Arguments of <see cref="Rows"/>: batch rows, row length, where the batch starts in the index.</summary>
    public struct RowsShape
    {
        public int Count, RowLength, IndexOffset;
    }

    /// <summary>dst[i, j] = src[index[offset + i], j].</summary>
    public static void Rows(RowsShape s, ArrayView<float> src, ArrayView<int> index, ArrayView<float> dst)
    {
        long total = (long)s.Count * s.RowLength;
        for (long e = (long)Grid.IdxX * Threads + Group.IdxX; e < total; e += (long)Grid.DimX * Threads)
        {
            long i = e / s.RowLength, j = e - i * s.RowLength;
            dst[e] = src[(long)index[s.IndexOffset + i] * s.RowLength + j];
        }
    }

    /// <summary>Arguments of <see cref="Columns"/>: a block of Count rows × Width columns between two row-major matrices.</summary>
    public struct ColumnsShape
    {
        public int Count, Width, SrcStride, SrcOffset, DstStride, DstOffset;
    }

    /// <summary>dst[i, dstOffset + j] = src[i, srcOffset + j] for j &lt; width: joins and splits the columns of rows (a beat and its RR features).</summary>
    public static void Columns(ColumnsShape s, ArrayView<float> src, ArrayView<float> dst)
    {
        long total = (long)s.Count * s.Width;
        for (long e = (long)Grid.IdxX * Threads + Group.IdxX; e < total; e += (long)Grid.DimX * Threads)
        {
            long i = e / s.Width, j = e - i * s.Width;
            dst[i * s.DstStride + s.DstOffset + j] = src[i * s.SrcStride + s.SrcOffset + j];
        }
    }

    /// <summary>dst[i] = src[index[offset + i]].</summary>
    public static void Ints(Index1D i, int indexOffset, ArrayView<int> src, ArrayView<int> index, ArrayView<int> dst)
        => dst[i] = src[index[indexOffset + i]];

    /// <summary>The family's kernels loaded on one accelerator.</summary>
    public sealed class Loaded : IKernelFamily<Loaded>
    {
        private Action<AcceleratorStream, KernelConfig, RowsShape, ArrayView<float>, ArrayView<int>, ArrayView<float>> _rows = null!;
        private Action<AcceleratorStream, Index1D, int, ArrayView<int>, ArrayView<int>, ArrayView<int>> _ints = null!;
        private Action<AcceleratorStream, KernelConfig, ColumnsShape, ArrayView<float>, ArrayView<float>> _columns = null!;

        public static Loaded Load(IlgpuAccelerator accelerator) => new()
        {
            _rows = accelerator.Native.LoadKernel<RowsShape, ArrayView<float>, ArrayView<int>, ArrayView<float>>(GatherKernels.Rows),
            _ints = accelerator.Native.LoadAutoGroupedKernel<Index1D, int, ArrayView<int>, ArrayView<int>, ArrayView<int>>(GatherKernels.Ints),
            _columns = accelerator.Native.LoadKernel<ColumnsShape, ArrayView<float>, ArrayView<float>>(GatherKernels.Columns),
        };

        public void Columns(IlgpuAccelerator device, in ColumnsShape s, ArrayView<float> src, ArrayView<float> dst)
        {
            var grid = new Index3D(GridSize.StrideGroups((long)s.Count * s.Width, Threads), 1, 1);
            _columns(device.Stream, device.Config("gather.columns", grid, new Index3D(Threads, 1, 1)), s, src, dst);
        }

        public void Rows(IlgpuAccelerator device, in RowsShape s, ArrayView<float> src, ArrayView<int> index, ArrayView<float> dst)
        {
            var grid = new Index3D(GridSize.StrideGroups((long)s.Count * s.RowLength, Threads), 1, 1);
            _rows(device.Stream, device.Config("gather.rows", grid, new Index3D(Threads, 1, 1)), s, src, index, dst);
        }

        public void Ints(IlgpuAccelerator device, int count, int indexOffset, ArrayView<int> src, ArrayView<int> index, ArrayView<int> dst)
        {
            if (count > 0) _ints(device.Stream, count, indexOffset, src, index, dst);
        }
    }
}
