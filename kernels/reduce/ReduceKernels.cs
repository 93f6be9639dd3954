using EcgGpu.Runtime.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace EcgGpu.Kernels;

/// <summary>
/// ILGPU device code for whole-buffer sum, max and sum of squares, argmax per row, and counting equal labels.
/// </summary>
/// <remarks>
/// A whole-buffer reduction takes two launches of <see cref="Partial"/>: up to 64 groups of 256 threads
/// stride over the input and each writes one partial, then one group reduces the partials.
/// <see cref="ArgmaxRows"/> gives each row up to 32 threads (a power of two no larger than the row; 8 rows per
/// group of 256 for rows of 32 columns or more): they stride over the columns and their (value, index) pairs
/// meet in shared memory. No warp shuffles (OpenCL devices without sub-groups lack them), and few barriers:
/// each costs milliseconds for a 256-thread group on ILGPU's CPU accelerator. Row tiles run along grid X with a
/// grid-stride loop, so any row count launches.
/// </remarks>
public static class ReduceKernels
{
    /// <summary>Threads per group of every reduce kernel.</summary>
    public const int Threads = 256;

    private const int None = int.MaxValue; // "no element yet": loses to every element

    /// <summary>What <see cref="Partial"/> computes.</summary>
    public const int OpSum = 0, OpMax = 1, OpSumOfSquares = 2;

    /// <summary>Arguments of <see cref="Partial"/>: element count and operation.</summary>
    public struct Pass
    {
        public int N, Op;
    }

    /// <summary>Arguments of <see cref="ArgmaxRows"/>: rows, columns, threads per row.</summary>
    public struct Rows
    {
        public int Count, Cols, Lanes;
    }

    /// <summary>
    /// partial[group] = the group's reduction of its grid-strided share of x (Σx² sums squares; its
    /// partials are then summed with <see cref="OpSum"/>).
    /// </summary>
    public static void Partial(Pass p, ArrayView<float> x, ArrayView<float> partial)
    {
        var buffer = SharedMemory.Allocate<float>(Threads);
        int t = Group.IdxX;
        float v = p.Op == OpMax ? float.NegativeInfinity : 0f;
        for (long i = (long)Grid.IdxX * Threads + t; i < p.N; i += (long)Grid.DimX * Threads)
        {
            float xi = x[i];
            v = p.Op == OpSumOfSquares ? v + xi * xi : p.Op == OpSum ? v + xi : Max(v, xi);
        }
        buffer[t] = v;
        Group.Barrier();
        // Two stages, two barriers (a tree would take eight): 32 threads combine every 32nd value, thread 0 those 32.
        if (t < 32)
        {
            for (int k = t + 32; k < Threads; k += 32) v = p.Op == OpMax ? Max(v, buffer[k]) : v + buffer[k];
            buffer[t] = v;
        }
        Group.Barrier();
        if (t == 0)
        {
            for (int k = 1; k < 32; k++) v = p.Op == OpMax ? Max(v, buffer[k]) : v + buffer[k];
            partial[Grid.IdxX] = v;
        }
    }

    /// <summary>
    /// output[r] = index of the largest value of row r, the first on ties (as numpy and a serial loop with &gt;).
    /// Each row gets <see cref="Rows.Lanes"/> threads (a power of two up to a warp) that stride over its columns.
    /// </summary>
    public static void ArgmaxRows(Rows s, ArrayView<float> x, ArrayView<int> output)
    {
        // Two halves used in turn, so one barrier per tile suffices: a tile's writes cannot overtake the
        // previous tile's reads, which finish before the barrier of the tile in between.
        var values = SharedMemory.Allocate<float>(2 * Threads);
        var indices = SharedMemory.Allocate<int>(2 * Threads);
        int t = Group.IdxX, lanes = s.Lanes, lane = t & (lanes - 1), rowsPerGroup = Threads / lanes;
        long tiles = ((long)s.Count + rowsPerGroup - 1) / rowsPerGroup;
        int half = 0;
        for (long tile = Grid.IdxX; tile < tiles; tile += Grid.DimX)
        {
            long r = tile * rowsPerGroup + t / lanes;
            float best = float.NaN;
            int at = None;
            if (r < s.Count)
                for (int j = lane; j < s.Cols; j += lanes)
                {
                    float v = x[r * s.Cols + j];
                    if (Better(v, j, best, at)) { best = v; at = j; }
                }
            values[half + t] = best;
            indices[half + t] = at;
            Group.Barrier();
            if (lane == 0 && r < s.Count)
            {
                for (int k = 1; k < lanes; k++)
                    if (Better(values[half + t + k], indices[half + t + k], best, at)) { best = values[half + t + k]; at = indices[half + t + k]; }
                // A serial loop with > keeps index 0 when x[0] is NaN; otherwise NaN never wins, which Better ensures.
                output[r] = IsNaN(x[r * s.Cols]) ? 0 : at;
            }
            half = Threads - half;
        }
    }

    /// <summary>total[0] += number of i &lt; n with a[i] == b[i]; one group.</summary>
    public static void CountEqual(int n, ArrayView<int> a, ArrayView<int> b, ArrayView<float> total)
    {
        var buffer = SharedMemory.Allocate<int>(Threads);
        int t = Group.IdxX, count = 0;
        for (int i = t; i < n; i += Threads) if (a[i] == b[i]) count++;
        buffer[t] = count;
        Group.Barrier();
        if (t < 32)
        {
            for (int k = t + 32; k < Threads; k += 32) count += buffer[k];
            buffer[t] = count;
        }
        Group.Barrier();
        if (t == 0)
        {
            for (int k = 1; k < 32; k++) count += buffer[k];
            total[0] += count;
        }
    }

    /// <summary>max that propagates NaN, as the managed reduction (TensorPrimitives.Max) does.</summary>
    private static float Max(float a, float b) => IsNaN(a) || a > b ? a : b;

    private static bool IsNaN(float v) => float.IsNaN(v);

    /// <summary>(v, j) beats (best, at): any element beats none; numbers beat NaN; larger wins; the lower index wins ties.</summary>
    private static bool Better(float v, int j, float best, int at)
    {
        if (j == None) return false;
        if (at == None) return true;
        if (IsNaN(v)) return IsNaN(best) && j < at;
        if (IsNaN(best)) return true;
        return v > best || (v == best && j < at);
    }

    /// <summary>The family's kernels loaded on one accelerator.</summary>
    public sealed class Loaded : IKernelFamily<Loaded>
    {
        private Action<AcceleratorStream, KernelConfig, Pass, ArrayView<float>, ArrayView<float>> _partial = null!;
        private Action<AcceleratorStream, KernelConfig, Rows, ArrayView<float>, ArrayView<int>> _argmax = null!;
        private Action<AcceleratorStream, KernelConfig, int, ArrayView<int>, ArrayView<int>, ArrayView<float>> _countEqual = null!;

        public static Loaded Load(IlgpuAccelerator accelerator) => new()
        {
            _partial = accelerator.Native.LoadKernel<Pass, ArrayView<float>, ArrayView<float>>(ReduceKernels.Partial),
            _argmax = accelerator.Native.LoadKernel<Rows, ArrayView<float>, ArrayView<int>>(ReduceKernels.ArgmaxRows),
            _countEqual = accelerator.Native.LoadKernel<int, ArrayView<int>, ArrayView<int>, ArrayView<float>>(ReduceKernels.CountEqual),
        };

        /// <summary>One pass: <paramref name="groups"/> partials of x[0..n) into <paramref name="partial"/>.</summary>
        public void Partial(IlgpuAccelerator device, int groups, int n, int op, ArrayView<float> x, ArrayView<float> partial)
            => _partial(device.Stream, device.Config("reduce.partial", new Index3D(groups, 1, 1), new Index3D(Threads, 1, 1)), new Pass { N = n, Op = op }, x, partial);

        public void ArgmaxRows(IlgpuAccelerator device, int rows, int cols, ArrayView<float> x, ArrayView<int> output)
        {
            // A warp's worth of threads per row, fewer for short rows (no thread without a column).
            int lanes = 1;
            while (lanes < 32 && lanes < cols) lanes *= 2;
            var grid = new Index3D(GridSize.StrideGroups(rows, Threads / lanes), 1, 1);
            _argmax(device.Stream, device.Config("reduce.argmax_rows", grid, new Index3D(Threads, 1, 1)), new Rows { Count = rows, Cols = cols, Lanes = lanes }, x, output);
        }

        public void CountEqual(IlgpuAccelerator device, int n, ArrayView<int> a, ArrayView<int> b, ArrayView<float> total)
            => _countEqual(device.Stream, device.Config("reduce.count_equal", new Index3D(1, 1, 1), new Index3D(Threads, 1, 1)), n, a, b, total);
    }
}
