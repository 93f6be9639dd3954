using EcgGpu.Runtime.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace EcgGpu.Kernels;

/// <summary>
/// ILGPU device code for information gain: column min/max, equal-width binning, joint (bin, class) histograms
/// per feature and IG = H(Y) − H(Y | X) in nats per feature. x is row-major (rows, features).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Column min/max: a group per column (grid-stride over columns), threads strided over the rows, then a
/// tree reduction in shared memory; never one thread walking a whole column.</item>
/// <item>Binning: element-wise, grid-stride.</item>
/// <item>Histograms: groups along X take chunks of <see cref="RowsPerGroup"/> rows, along Y features; each
/// counts its chunk into a shared-memory histogram with integer atomics, then adds the non-zero cells to the
/// feature's global counts with global integer atomics (integers: exact and order-free).</item>
/// <item>Gain: a group per feature; its threads split the bins and classes, two group sums give the total count
/// and then Σ over classes of H(Y)'s terms minus Σ over bins of p(b)·H(Y | b).</item>
/// </list>
/// Reductions are shared-memory trees with group barriers (no warp shuffles: ILGPU's OpenCL backend has none
/// without extensions); group sizes are powers of two. All grids are capped and loop, so any shape launches.
/// </remarks>
public static class InfoGainKernels
{
    /// <summary>Cells (bins × classes) of one group's shared histogram.</summary>
    public const int HistMax = 2048;
    /// <summary>
    /// Threads per group: binning (element-wise); column min/max and histograms (a column or a chunk of
    /// <see cref="RowsPerGroup"/> rows each); gain (bins and classes of one feature: tens of cells, one warp).
    /// </summary>
    public const int Threads = 256, MinMaxThreads = 64, HistThreads = 128, GainThreads = 32, RowsPerGroup = 4096;

    /// <summary>Shape of one launch (every kernel reads the fields it needs).</summary>
    public struct Shape
    {
        public int Rows, Features, Bins, Classes;
    }

    public static void ColumnMinMax(Shape s, ArrayView<float> x, ArrayView<float> mins, ArrayView<float> maxs)
    {
        var lo = SharedMemory.Allocate<float>(MinMaxThreads);
        var hi = SharedMemory.Allocate<float>(MinMaxThreads);
        int t = Group.IdxX;
        for (int f = Grid.IdxX; f < s.Features; f += Grid.DimX)
        {
            float l = float.PositiveInfinity, h = float.NegativeInfinity;
            for (int r = t; r < s.Rows; r += Group.DimX)
            {
                float v = x[(long)r * s.Features + f];
                l = MathF.Min(l, v);
                h = MathF.Max(h, v);
            }
            lo[t] = l;
            hi[t] = h;
            Group.Barrier();
            for (int o = Group.DimX / 2; o > 0; o /= 2) // tree in shared memory, one barrier per level
            {
                if (t < o)
                {
                    lo[t] = MathF.Min(lo[t], lo[t + o]);
                    hi[t] = MathF.Max(hi[t], hi[t + o]);
                }
                Group.Barrier();
            }
            if (t == 0)
            {
                mins[f] = lo[0];
                maxs[f] = hi[0];
            }
            Group.Barrier(); // thread 0 has read the results before the next column overwrites them
        }
    }

    /// <summary>bin = ⌊(v − min) / (max − min) · bins⌋, the maximum in the last bin; a constant feature is all bin 0.</summary>
    public static void Bin(Shape s, ArrayView<float> x, ArrayView<float> mins, ArrayView<float> maxs, ArrayView<int> binned)
    {
        long n = (long)s.Rows * s.Features;
        for (long i = Grid.GlobalIndex.X; i < n; i += (long)Grid.DimX * Group.DimX)
        {
            int f = (int)(i % s.Features);
            float lo = mins[f], range = maxs[f] - lo;
            int b = range > 0f ? (int)((x[i] - lo) / range * s.Bins) : 0;
            binned[i] = b < 0 ? 0 : (b >= s.Bins ? s.Bins - 1 : b);
        }
    }

    /// <summary>counts (features, bins, classes) must be zeroed first. Rows with a label or bin out of range are not counted.</summary>
    public static void Histogram(Shape s, ArrayView<int> binned, ArrayView<int> labels, ArrayView<int> counts)
    {
        var hist = SharedMemory.Allocate<int>(HistMax);
        int t = Group.IdxX, threads = Group.DimX, cells = s.Bins * s.Classes;
        int chunks = (s.Rows + RowsPerGroup - 1) / RowsPerGroup;
        for (int f = Grid.IdxY; f < s.Features; f += Grid.DimY)
            for (int chunk = Grid.IdxX; chunk < chunks; chunk += Grid.DimX)
            {
                for (int c = t; c < cells; c += threads) hist[c] = 0;
                Group.Barrier();
                int start = chunk * RowsPerGroup, end = Math.Min(start + RowsPerGroup, s.Rows);
                for (int r = start + t; r < end; r += threads)
                {
                    int y = labels[r], b = binned[(long)r * s.Features + f];
                    if (y >= 0 && y < s.Classes && b >= 0 && b < s.Bins) Atomic.Add(ref hist[b * s.Classes + y], 1);
                }
                Group.Barrier();
                long o = (long)f * cells;
                for (int c = t; c < cells; c += threads)
                    if (hist[c] != 0) Atomic.Add(ref counts[o + c], hist[c]);
                Group.Barrier(); // everyone has read hist before the next chunk clears it
            }
    }

    public static void Gain(Shape s, ArrayView<int> counts, ArrayView<float> gain)
    {
        var scratch = SharedMemory.Allocate<float>(GainThreads);
        int t = Group.IdxX, threads = Group.DimX, cells = s.Bins * s.Classes;
        for (int f = Grid.IdxX; f < s.Features; f += Grid.DimX)
        {
            long o = (long)f * cells;
            float part = 0f;
            for (int c = t; c < cells; c += threads) part += counts[o + c];
            float total = GroupSum(part, scratch);
            if (total <= 0f) // the same in every thread: a uniform branch
            {
                if (t == 0) gain[f] = 0f;
                continue;
            }
            float ig = 0f;
            for (int y = t; y < s.Classes; y += threads) // H(Y) = −Σ_y p(y) log p(y)
            {
                float ny = 0f;
                for (int b = 0; b < s.Bins; b++) ny += counts[o + b * s.Classes + y];
                if (ny > 0f) { float p = ny / total; ig -= p * MathF.Log(p); }
            }
            for (int b = t; b < s.Bins; b += threads) // H(Y | X) = Σ_b p(b) H(Y | b)
            {
                long ob = o + (long)b * s.Classes;
                float nb = 0f;
                for (int y = 0; y < s.Classes; y++) nb += counts[ob + y];
                if (nb <= 0f) continue;
                float hb = 0f;
                for (int y = 0; y < s.Classes; y++)
                {
                    float n = counts[ob + y];
                    if (n > 0f) { float p = n / nb; hb -= p * MathF.Log(p); }
                }
                ig -= nb / total * hb;
            }
            ig = GroupSum(ig, scratch);
            if (t == 0) gain[f] = ig > 0f ? ig : 0f;
        }
    }

    /// <summary>
    /// Sum over the group (a power of two no larger than <see cref="GainThreads"/>), returned to every thread: a
    /// tree in shared memory, one barrier per level, and a last barrier so the next call may reuse the buffer.
    /// </summary>
    private static float GroupSum(float v, ArrayView<float> buf)
    {
        int t = Group.IdxX;
        buf[t] = v;
        Group.Barrier();
        for (int o = Group.DimX / 2; o > 0; o /= 2)
        {
            if (t < o) buf[t] += buf[t + o];
            Group.Barrier();
        }
        v = buf[0];
        Group.Barrier();
        return v;
    }

    /// <summary>The family's kernels loaded on one accelerator.</summary>
    public sealed class Loaded : IKernelFamily<Loaded>
    {
        private Action<AcceleratorStream, KernelConfig, Shape, ArrayView<float>, ArrayView<float>, ArrayView<float>> _minMax = null!;
        private Action<AcceleratorStream, KernelConfig, Shape, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>> _bin = null!;
        private Action<AcceleratorStream, KernelConfig, Shape, ArrayView<int>, ArrayView<int>, ArrayView<int>> _histogram = null!;
        private Action<AcceleratorStream, KernelConfig, Shape, ArrayView<int>, ArrayView<float>> _gain = null!;

        public static Loaded Load(IlgpuAccelerator accelerator)
        {
            var a = accelerator.Native;
            return new()
            {
                _minMax = a.LoadKernel<Shape, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ColumnMinMax),
                _bin = a.LoadKernel<Shape, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>>(InfoGainKernels.Bin),
                _histogram = a.LoadKernel<Shape, ArrayView<int>, ArrayView<int>, ArrayView<int>>(Histogram),
                _gain = a.LoadKernel<Shape, ArrayView<int>, ArrayView<float>>(InfoGainKernels.Gain),
            };
        }

        /// <summary>Column min/max, then the bins.</summary>
        public void Bin(IlgpuAccelerator device, in Shape s, ArrayView<float> x, ArrayView<float> mins, ArrayView<float> maxs, ArrayView<int> binned)
        {
            _minMax(device.Stream, device.Config("infogain.column_minmax", new Index3D(GridSize.WaveGroups(device, GridSize.Groups(s.Features, 1), MinMaxThreads), 1, 1), new Index3D(MinMaxThreads, 1, 1)), s, x, mins, maxs);
            _bin(device.Stream, device.Config("infogain.bin", new Index3D(GridSize.WaveGroups(device, GridSize.Groups((long)s.Rows * s.Features, Threads), Threads), 1, 1), new Index3D(Threads, 1, 1)), s, x, mins, maxs, binned);
        }

        /// <summary>Histograms into the zeroed counts, then the gains.</summary>
        public void Gain(IlgpuAccelerator device, in Shape s, ArrayView<int> binned, ArrayView<int> labels, ArrayView<int> counts, ArrayView<float> gain)
        {
            var chunks = GridSize.StrideGroups(s.Rows, RowsPerGroup);
            _histogram(device.Stream, device.Config("infogain.histogram", new Index3D(chunks, Math.Min(s.Features, 65_535), 1), new Index3D(HistThreads, 1, 1)),
                s, binned, labels, counts);
            _gain(device.Stream, device.Config("infogain.gain", new Index3D(GridSize.WaveGroups(device, GridSize.Groups(s.Features, 1), GainThreads), 1, 1), new Index3D(GainThreads, 1, 1)),
                s, counts, gain);
        }
    }
}
