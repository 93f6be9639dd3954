using EcgGpu.Runtime.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace EcgGpu.Kernels;

/// <summary>
/// ILGPU device code the three recurrent cells share: the batch-rows-per-group types their sequence kernels are
/// specialised on, the argument struct, and the sequence helpers (time shift, last state, its gradient, and the
/// reduction of the per-group bias-gradient partials the backward kernels leave). Tensors are (N, L, H), batch first.
/// </summary>
public static class RecurrentKernels
{
    /// <summary>
    /// How many batch rows one group of a sequence kernel owns, as a type: each cell's kernels are compiled once
    /// per count, so the per-row accumulators are plain registers and the unused rows' code folds away.
    /// </summary>
    public interface IRows
    {
        int Count { get; }
    }

    public struct Rows1 : IRows { public readonly int Count => 1; }
    public struct Rows2 : IRows { public readonly int Count => 2; }
    public struct Rows4 : IRows { public readonly int Count => 4; }

    /// <summary>The row counts a launcher may choose, in the order the cells' <c>Loaded</c> keep their delegates.</summary>
    public static ReadOnlySpan<int> RowCounts => [1, 2, 4];

    /// <summary>Scalar arguments of a cell's sequence kernel.</summary>
    public struct Sequence
    {
        public int N, L, H;
        /// <summary>1: relu for the GRU candidate / the SimpleRNN state, 0: tanh.</summary>
        public int Relu;
    }

    /// <summary>Scalar arguments of the element-wise sequence helpers.</summary>
    public struct Dims
    {
        public int N, L, H;
    }

    /// <summary>out[c] = Σ_r partial[r·Width + Offset + c] for c &lt; Count, r &lt; Rows.</summary>
    public struct ColumnSumArgs
    {
        public int Rows, Width, Offset, Count;
    }

    private const int SumColumns = 32, SumLanes = 8, SumThreads = SumColumns * SumLanes;

    /// <summary>prev[n, t] = t &gt; 0 ? h[n, t − 1] : 0, the state each step started from (h0 = 0).</summary>
    public static void ShiftTime(Index1D i, Dims d, ArrayView<float> h, ArrayView<float> prev)
    {
        int t = i / d.H % d.L;
        prev[i] = t > 0 ? h[i - d.H] : 0f;
    }

    /// <summary>last[n, :] = h[n, L − 1, :].</summary>
    public static void TakeLast(Index1D i, Dims d, ArrayView<float> h, ArrayView<float> last)
    {
        int n = i / d.H;
        last[i] = h[((long)n * d.L + d.L - 1) * d.H + i % d.H];
    }

    /// <summary>dh[n, t] = t == L − 1 ? dlast[n] : 0.</summary>
    public static void SpreadLast(Index1D i, Dims d, ArrayView<float> dLast, ArrayView<float> dh)
    {
        int t = i / d.H % d.L;
        dh[i] = t == d.L - 1 ? dLast[i / (d.L * d.H) * d.H + i % d.H] : 0f;
    }

    /// <summary>
    /// Column sums of a (Rows, Width) matrix: a group of 32 columns × 8 lanes, each lane strides down the rows
    /// (neighbouring threads read neighbouring columns), then a shared-memory tree over the lanes. Deterministic.
    /// </summary>
    public static void ColumnSum(ColumnSumArgs a, ArrayView<float> partial, ArrayView<float> output)
    {
        var sums = SharedMemory.Allocate<float>(SumThreads);
        int tid = Group.IdxX, tx = tid % SumColumns, ty = tid / SumColumns;
        int col = Grid.IdxX * SumColumns + tx;
        float sum = 0f;
        if (col < a.Count)
            for (int r = ty; r < a.Rows; r += SumLanes) sum += partial[(long)r * a.Width + a.Offset + col];
        sums[tid] = sum;
        Group.Barrier();
        for (int half = SumLanes / 2; half > 0; half /= 2)
        {
            if (ty < half) sums[tid] += sums[tid + half * SumColumns];
            Group.Barrier();
        }
        if (ty == 0 && col < a.Count) output[col] = sums[tx];
    }

    /// <summary>The shared helpers loaded on one accelerator.</summary>
    public sealed class Loaded : IKernelFamily<Loaded>
    {
        private Action<AcceleratorStream, Index1D, Dims, ArrayView<float>, ArrayView<float>> _shiftTime = null!, _takeLast = null!, _spreadLast = null!;
        private Action<AcceleratorStream, KernelConfig, ColumnSumArgs, ArrayView<float>, ArrayView<float>> _columnSum = null!;

        public static Loaded Load(IlgpuAccelerator accelerator) => new()
        {
            _shiftTime = accelerator.Native.LoadAutoGroupedKernel<Index1D, Dims, ArrayView<float>, ArrayView<float>>(RecurrentKernels.ShiftTime),
            _takeLast = accelerator.Native.LoadAutoGroupedKernel<Index1D, Dims, ArrayView<float>, ArrayView<float>>(RecurrentKernels.TakeLast),
            _spreadLast = accelerator.Native.LoadAutoGroupedKernel<Index1D, Dims, ArrayView<float>, ArrayView<float>>(RecurrentKernels.SpreadLast),
            _columnSum = accelerator.Native.LoadKernel<ColumnSumArgs, ArrayView<float>, ArrayView<float>>(RecurrentKernels.ColumnSum),
        };

        public void ShiftTime(IlgpuAccelerator device, Dims d, ArrayView<float> h, ArrayView<float> prev)
            => _shiftTime(device.Stream, Elements((long)d.N * d.L * d.H), d, h, prev);

        public void TakeLast(IlgpuAccelerator device, Dims d, ArrayView<float> h, ArrayView<float> last)
            => _takeLast(device.Stream, Elements((long)d.N * d.H), d, h, last);

        public void SpreadLast(IlgpuAccelerator device, Dims d, ArrayView<float> dLast, ArrayView<float> dh)
            => _spreadLast(device.Stream, Elements((long)d.N * d.L * d.H), d, dLast, dh);

        public void ColumnSum(IlgpuAccelerator device, ColumnSumArgs a, ArrayView<float> partial, ArrayView<float> output)
            => _columnSum(device.Stream, device.Config("recurrent.column_sum", new Index3D(GridSize.Groups(a.Count, SumColumns), 1, 1), new Index3D(SumThreads, 1, 1)), a, partial, output);

        private static Index1D Elements(long n)
            => n <= int.MaxValue ? new Index1D((int)n) : throw new NotSupportedException($"recurrent tensor of {n} elements exceeds the 32-bit index of the sequence helpers");
    }
}
