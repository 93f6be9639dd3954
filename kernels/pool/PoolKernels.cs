using EcgGpu.Runtime.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace EcgGpu.Kernels;

/// <summary>
/// ILGPU device code for 1-D max pooling (any kernel and stride, floor mode) and global average pooling over
/// rows of length L (rows = N·C).
/// </summary>
/// <remarks>
/// Rows never index grid Y: the element-wise kernels run a grid-stride loop over rows × length in grid X, and
/// global average pooling gives each row up to 32 threads (a warp's worth) of a group, the groups looping over
/// the rows in grid X.
/// </remarks>
public static class PoolKernels
{
    public const int Threads = 256, MaxLanes = 32;

    /// <summary>A max-pool shape: rows of Lin values, windows of K every S, Lout windows per row.</summary>
    public struct MaxShape
    {
        public int Rows, Lin, K, S, Lout;
    }

    /// <summary>A global-average-pool shape: rows of L values, Lanes threads per row (a power of two up to MaxLanes).</summary>
    public struct AverageShape
    {
        public int Rows, L, Lanes;
    }

    /// <summary>y = max of each window; argmax = its position in the row, the first maximum on ties.</summary>
    public static void MaxForward(MaxShape s, ArrayView<float> x, ArrayView<float> y, ArrayView<int> argmax)
    {
        long total = (long)s.Rows * s.Lout;
        for (long i = Grid.GlobalIndex.X; i < total; i += (long)Grid.DimX * Group.DimX)
        {
            long r = i / s.Lout;
            int start = (int)(i - r * s.Lout) * s.S, best = start;
            long row = r * s.Lin;
            float m = x[row + start];
            for (int k = 1; k < s.K; k++)
            {
                float v = x[row + start + k];
                if (v > m) { m = v; best = start + k; } // strict: an equal later value does not win
            }
            y[i] = m;
            argmax[i] = best;
        }
    }

    /// <summary>
    /// Gather form: each input position sums the gradients of the windows whose maximum it was, so overlapping
    /// windows need no atomics.
    /// </summary>
    public static void MaxBackward(MaxShape s, ArrayView<float> dy, ArrayView<int> argmax, ArrayView<float> dx)
    {
        long total = (long)s.Rows * s.Lin;
        for (long e = Grid.GlobalIndex.X; e < total; e += (long)Grid.DimX * Group.DimX)
        {
            long r = e / s.Lin;
            int i = (int)(e - r * s.Lin);
            int jlo = i - s.K + 1 <= 0 ? 0 : (i - s.K + s.S) / s.S;
            int jhi = Math.Min(i / s.S, s.Lout - 1);
            float g = 0f;
            for (int j = jlo; j <= jhi; j++)
                if (argmax[r * s.Lout + j] == i) g += dy[r * s.Lout + j];
            dx[e] = g;
        }
    }

    /// <summary>
    /// y[r] = mean of row r: Lanes threads per row (a warp's 32, fewer for rows shorter than that) sum strided
    /// values, then a tree over those lanes in shared memory; Threads / Lanes rows per group and round.
    /// </summary>
    public static void AverageForward(AverageShape s, ArrayView<float> x, ArrayView<float> y)
    {
        var buf = SharedMemory.Allocate<float>(Threads);
        int tid = Group.IdxX, lane = tid % s.Lanes, rowsPerRound = Threads / s.Lanes;
        // The loop bound depends on the group only, so every thread reaches the same barriers.
        for (long r0 = (long)Grid.IdxX * rowsPerRound; r0 < s.Rows; r0 += (long)Grid.DimX * rowsPerRound)
        {
            long r = r0 + tid / s.Lanes;
            float acc = 0f;
            if (r < s.Rows)
                for (int l = lane; l < s.L; l += s.Lanes) acc += x[r * s.L + l];
            buf[tid] = acc;
            Group.Barrier();
            for (int half = s.Lanes / 2; half > 0; half >>= 1)
            {
                if (lane < half) buf[tid] += buf[tid + half];
                Group.Barrier();
            }
            if (lane == 0 && r < s.Rows) y[r] = buf[tid] / s.L;
            Group.Barrier();
        }
    }

    /// <summary>dx[r, l] = dy[r] / L.</summary>
    public static void AverageBackward(AverageShape s, ArrayView<float> dy, ArrayView<float> dx)
    {
        long total = (long)s.Rows * s.L;
        for (long i = Grid.GlobalIndex.X; i < total; i += (long)Grid.DimX * Group.DimX)
            dx[i] = dy[i / s.L] / s.L;
    }

    /// <summary>The family's kernels loaded on one accelerator.</summary>
    public sealed class Loaded : IKernelFamily<Loaded>
    {
        private Action<AcceleratorStream, KernelConfig, MaxShape, ArrayView<float>, ArrayView<float>, ArrayView<int>> _maxForward = null!;
        private Action<AcceleratorStream, KernelConfig, MaxShape, ArrayView<float>, ArrayView<int>, ArrayView<float>> _maxBackward = null!;
        private Action<AcceleratorStream, KernelConfig, AverageShape, ArrayView<float>, ArrayView<float>> _averageForward = null!;
        private Action<AcceleratorStream, KernelConfig, AverageShape, ArrayView<float>, ArrayView<float>> _averageBackward = null!;

        public static Loaded Load(IlgpuAccelerator accelerator) => new()
        {
            _maxForward = accelerator.Native.LoadKernel<MaxShape, ArrayView<float>, ArrayView<float>, ArrayView<int>>(MaxForward),
            _maxBackward = accelerator.Native.LoadKernel<MaxShape, ArrayView<float>, ArrayView<int>, ArrayView<float>>(MaxBackward),
            _averageForward = accelerator.Native.LoadKernel<AverageShape, ArrayView<float>, ArrayView<float>>(AverageForward),
            _averageBackward = accelerator.Native.LoadKernel<AverageShape, ArrayView<float>, ArrayView<float>>(AverageBackward),
        };

        private static KernelConfig Stride(IlgpuAccelerator device, string name, long items)
            => device.Config(name, new Index3D(GridSize.WaveGroups(device, GridSize.Groups(items, Threads), Threads), 1, 1), new Index3D(Threads, 1, 1));

        public void RunMaxForward(IlgpuAccelerator device, in MaxShape s, ArrayView<float> x, ArrayView<float> y, ArrayView<int> argmax)
            => _maxForward(device.Stream, Stride(device, "pool.max_forward", (long)s.Rows * s.Lout), s, x, y, argmax);

        public void RunMaxBackward(IlgpuAccelerator device, in MaxShape s, ArrayView<float> dy, ArrayView<int> argmax, ArrayView<float> dx)
            => _maxBackward(device.Stream, Stride(device, "pool.max_backward", (long)s.Rows * s.Lin), s, dy, argmax, dx);

        public void RunAverageForward(IlgpuAccelerator device, int rows, int length, ArrayView<float> x, ArrayView<float> y)
        {
            // Short rows take fewer lanes, so that a group still has work for every thread.
            int lanes = 1;
            while (lanes < MaxLanes && lanes < length) lanes *= 2;
            var s = new AverageShape { Rows = rows, L = length, Lanes = lanes };
            _averageForward(device.Stream, device.Config("pool.gap_forward", new Index3D(GridSize.WaveGroups(device, GridSize.Groups(rows, Threads / lanes), Threads), 1, 1), new Index3D(Threads, 1, 1)), s, x, y);
        }

        public void RunAverageBackward(IlgpuAccelerator device, in AverageShape s, ArrayView<float> dy, ArrayView<float> dx)
            => _averageBackward(device.Stream, Stride(device, "pool.gap_backward", (long)s.Rows * s.L), s, dy, dx);
    }
}
