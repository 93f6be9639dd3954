using EcgGpu.Runtime.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace EcgGpu.Kernels;

/// <summary>
/// ILGPU device code for row softmax, its backward pass and fused softmax cross-entropy (row-major rows × cols).
/// </summary>
/// <remarks>
/// Every row is reduced by a team of threads, never by one thread. Narrow rows (fewer than
/// <see cref="WideCols"/> columns: class logits, most softmaxes) get a team of <see cref="Shape.Team"/> lanes of one
/// warp, sized to the row (about two elements per lane, 2 to 32 lanes, a power of two; as PyTorch's persistent
/// softmax), so a warp takes 32 / Team rows of a few classes at once; the max and sums are butterfly shuffles
/// within the team (no shared memory, no barriers). Wide rows (attention over hundreds of steps) get a group of
/// <see cref="WideThreads"/> each, reduced per warp and then across the warps' partials in shared memory. Rows run
/// along grid X and the grid is capped at 65,535 groups, each team looping over rows, so any row count launches;
/// the loops are uniform per warp (a team past the last row still takes part in the shuffles). Lanes stride along
/// the row, so a warp reads a contiguous stretch. Every element a lane writes is one it read itself after the
/// row's reductions, so the output may alias the input (as on the CPU path).
/// </remarks>
public static class SoftmaxKernels
{
    /// <summary>Rows with at least this many columns get a group each instead of a warp.</summary>
    public const int WideCols = 512;
    /// <summary>Threads per group: eight warps (rows) for narrow rows; one row for wide ones.</summary>
    public const int NarrowThreads = 256, WideThreads = 256;
    private const int MaxWarps = 32; // 1,024 threads per group / warps of 32

    /// <summary>Shape and scalars of one launch.</summary>
    public struct Shape
    {
        public int Rows, Cols;
        /// <summary>Narrow rows: lanes per row (a power of two, at most the warp size).</summary>
        public int Team;
        /// <summary>Cross-entropy only: 1 when class weights are given, and the gradient's scale (1 / rows for the mean).</summary>
        public int UseWeights;
        public float GradScale;
    }

    /// <summary>The reductions of the threads that share one row.</summary>
    private interface ITeam
    {
        float Sum(float v);
        float Max(float v);
    }

    /// <summary>
    /// Width aligned lanes of one warp (a power of two): butterfly shuffles with masks below Width stay inside
    /// the team and leave the result in every lane. The whole warp executes each shuffle.
    /// </summary>
    private struct WarpTeam : ITeam
    {
        public int Width;

        public readonly float Sum(float v)
        {
            for (int o = Width / 2; o > 0; o /= 2) v += Warp.ShuffleXor(v, o);
            return v;
        }

        public readonly float Max(float v)
        {
            for (int o = Width / 2; o > 0; o /= 2) v = MathF.Max(v, Warp.ShuffleXor(v, o));
            return v;
        }
    }

    /// <summary>
    /// A whole group (a multiple of the warp size): each warp reduces its lanes, lane 0 stores the warp's partial,
    /// and every warp then reduces all partials itself, so all threads get the result after one barrier; the
    /// second barrier lets the next reduction reuse the scratch.
    /// </summary>
    private struct GroupTeam : ITeam
    {
        public ArrayView<float> Scratch;

        public readonly float Sum(float v)
        {
            var warp = new WarpTeam { Width = Warp.WarpSize };
            v = warp.Sum(v);
            if (Warp.IsFirstLane) Scratch[Warp.WarpIdx] = v;
            Group.Barrier();
            v = Warp.LaneIdx < Group.DimX / Warp.WarpSize ? Scratch[Warp.LaneIdx] : 0f;
            v = warp.Sum(v);
            Group.Barrier();
            return v;
        }

        public readonly float Max(float v)
        {
            var warp = new WarpTeam { Width = Warp.WarpSize };
            v = warp.Max(v);
            if (Warp.IsFirstLane) Scratch[Warp.WarpIdx] = v;
            Group.Barrier();
            v = Warp.LaneIdx < Group.DimX / Warp.WarpSize ? Scratch[Warp.LaneIdx] : float.NegativeInfinity;
            v = warp.Max(v);
            Group.Barrier();
            return v;
        }
    }

    // ---- entry points: a team of lanes of one warp per row ----
    // r0 runs over the first rows of whole warps, so the loop is uniform per warp; the team's row is r0 + team.

    public static void RowsWarp(Shape s, ArrayView<float> x, ArrayView<float> y)
    {
        int perWarp = Warp.WarpSize / s.Team, stride = Grid.DimX * (Group.DimX / Warp.WarpSize) * perWarp;
        var team = new WarpTeam { Width = s.Team };
        for (int r0 = (Grid.IdxX * (Group.DimX / Warp.WarpSize) + Warp.WarpIdx) * perWarp; r0 < s.Rows; r0 += stride)
        {
            int r = r0 + Warp.LaneIdx / s.Team;
            RowForward(team, Warp.LaneIdx % s.Team, s.Team, r, r < s.Rows ? s.Cols : 0, s.Cols, x, y);
        }
    }

    public static void BackwardWarp(Shape s, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx)
    {
        int perWarp = Warp.WarpSize / s.Team, stride = Grid.DimX * (Group.DimX / Warp.WarpSize) * perWarp;
        var team = new WarpTeam { Width = s.Team };
        for (int r0 = (Grid.IdxX * (Group.DimX / Warp.WarpSize) + Warp.WarpIdx) * perWarp; r0 < s.Rows; r0 += stride)
        {
            int r = r0 + Warp.LaneIdx / s.Team;
            RowBackward(team, Warp.LaneIdx % s.Team, s.Team, r, r < s.Rows ? s.Cols : 0, s.Cols, y, dy, dx);
        }
    }

    public static void CrossEntropyWarp(Shape s, ArrayView<float> logits, ArrayView<int> labels, ArrayView<float> classWeights,
        ArrayView<float> rowLoss, ArrayView<float> grad)
    {
        int perWarp = Warp.WarpSize / s.Team, stride = Grid.DimX * (Group.DimX / Warp.WarpSize) * perWarp;
        var team = new WarpTeam { Width = s.Team };
        for (int r0 = (Grid.IdxX * (Group.DimX / Warp.WarpSize) + Warp.WarpIdx) * perWarp; r0 < s.Rows; r0 += stride)
        {
            int r = r0 + Warp.LaneIdx / s.Team;
            RowCrossEntropy(team, Warp.LaneIdx % s.Team, s.Team, r, r < s.Rows, s, logits, labels, classWeights, rowLoss, grad);
        }
    }

    // ---- entry points: one group per row ----

    public static void RowsGroup(Shape s, ArrayView<float> x, ArrayView<float> y)
    {
        var team = new GroupTeam { Scratch = SharedMemory.Allocate<float>(MaxWarps) };
        for (int r = Grid.IdxX; r < s.Rows; r += Grid.DimX)
            RowForward(team, Group.IdxX, Group.DimX, r, s.Cols, s.Cols, x, y);
    }

    public static void BackwardGroup(Shape s, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx)
    {
        var team = new GroupTeam { Scratch = SharedMemory.Allocate<float>(MaxWarps) };
        for (int r = Grid.IdxX; r < s.Rows; r += Grid.DimX)
            RowBackward(team, Group.IdxX, Group.DimX, r, s.Cols, s.Cols, y, dy, dx);
    }

    public static void CrossEntropyGroup(Shape s, ArrayView<float> logits, ArrayView<int> labels, ArrayView<float> classWeights,
        ArrayView<float> rowLoss, ArrayView<float> grad)
    {
        var team = new GroupTeam { Scratch = SharedMemory.Allocate<float>(MaxWarps) };
        for (int r = Grid.IdxX; r < s.Rows; r += Grid.DimX)
            RowCrossEntropy(team, Group.IdxX, Group.DimX, r, true, s, logits, labels, classWeights, rowLoss, grad);
    }

    // ---- one row, whichever team reduces it ----
    // n is the row's length, or 0 for a team past the last row: it touches no memory but joins the reductions.

    /// <summary>y = exp(x − max) / Σ exp(x − max).</summary>
    private static void RowForward<TTeam>(TTeam team, int lane, int width, int r, int n, int cols, ArrayView<float> x, ArrayView<float> y)
        where TTeam : struct, ITeam
    {
        long o = (long)r * cols;
        cols = n;
        float m = float.NegativeInfinity;
        for (int j = lane; j < cols; j += width) m = MathF.Max(m, x[o + j]);
        m = team.Max(m);
        float s = 0f;
        for (int j = lane; j < cols; j += width)
        {
            float e = MathF.Exp(x[o + j] - m);
            y[o + j] = e;
            s += e;
        }
        float inv = 1f / team.Sum(s);
        for (int j = lane; j < cols; j += width) y[o + j] *= inv; // the lane's own writes: no barrier needed
    }

    /// <summary>dx = y · (dy − Σ dy·y).</summary>
    private static void RowBackward<TTeam>(TTeam team, int lane, int width, int r, int n, int cols, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx)
        where TTeam : struct, ITeam
    {
        long o = (long)r * cols;
        cols = n;
        float dot = 0f;
        for (int j = lane; j < cols; j += width) dot += dy[o + j] * y[o + j];
        dot = team.Sum(dot);
        for (int j = lane; j < cols; j += width) dx[o + j] = y[o + j] * (dy[o + j] - dot);
    }

    /// <summary>
    /// loss_r = w[label]·(logsumexp(z) − z[label]) and grad = w[label]·scale·(softmax(z) − onehot(label)); weights
    /// follow Keras sample weighting (the mean divides by the row count). A label outside [0, classes) gives a NaN
    /// loss and gradient row, so it cannot pass silently.
    /// </summary>
    private static void RowCrossEntropy<TTeam>(TTeam team, int lane, int width, int r, bool active, in Shape s, ArrayView<float> logits,
        ArrayView<int> labels, ArrayView<float> classWeights, ArrayView<float> rowLoss, ArrayView<float> grad)
        where TTeam : struct, ITeam
    {
        int classes = s.Cols;
        long o = (long)r * classes;
        int label = active ? labels[r] : 0;
        bool valid = active && label >= 0 && label < classes;
        int n = valid ? classes : 0; // an invalid row still joins the team's reductions, with nothing to reduce
        float w = valid && s.UseWeights != 0 ? classWeights[label] : 1f;
        float zLabel = valid ? logits[o + label] : 0f; // read before the reductions: grad may alias logits
        float m = float.NegativeInfinity;
        for (int j = lane; j < n; j += width) m = MathF.Max(m, logits[o + j]);
        m = team.Max(m);
        float sum = 0f;
        for (int j = lane; j < n; j += width) sum += MathF.Exp(logits[o + j] - m);
        sum = team.Sum(sum);
        if (!active) return;
        if (!valid)
        {
            if (lane == 0) rowLoss[r] = float.NaN;
            for (int j = lane; j < classes; j += width) grad[o + j] = float.NaN;
            return;
        }
        if (lane == 0) rowLoss[r] = w * (m + MathF.Log(sum) - zLabel);
        float inv = 1f / sum, ws = w * s.GradScale;
        for (int j = lane; j < classes; j += width)
            grad[o + j] = ws * (MathF.Exp(logits[o + j] - m) * inv - (j == label ? 1f : 0f));
    }

    /// <summary>The family's kernels loaded on one accelerator.</summary>
    public sealed class Loaded : IKernelFamily<Loaded>
    {
        private Action<AcceleratorStream, KernelConfig, Shape, ArrayView<float>, ArrayView<float>> _rowsWarp = null!, _rowsGroup = null!;
        private Action<AcceleratorStream, KernelConfig, Shape, ArrayView<float>, ArrayView<float>, ArrayView<float>> _backwardWarp = null!, _backwardGroup = null!;
        private Action<AcceleratorStream, KernelConfig, Shape, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>> _xentWarp = null!, _xentGroup = null!;

        public static Loaded Load(IlgpuAccelerator accelerator)
        {
            var a = accelerator.Native;
            return new()
            {
                _rowsWarp = a.LoadKernel<Shape, ArrayView<float>, ArrayView<float>>(RowsWarp),
                _rowsGroup = a.LoadKernel<Shape, ArrayView<float>, ArrayView<float>>(RowsGroup),
                _backwardWarp = a.LoadKernel<Shape, ArrayView<float>, ArrayView<float>, ArrayView<float>>(BackwardWarp),
                _backwardGroup = a.LoadKernel<Shape, ArrayView<float>, ArrayView<float>, ArrayView<float>>(BackwardGroup),
                _xentWarp = a.LoadKernel<Shape, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(CrossEntropyWarp),
                _xentGroup = a.LoadKernel<Shape, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(CrossEntropyGroup),
            };
        }

        public void Forward(IlgpuAccelerator device, in Shape s, ArrayView<float> x, ArrayView<float> y)
        {
            if (s.Cols >= WideCols) _rowsGroup(device.Stream, Wide(device, "softmax.rows_group", s), s, x, y);
            else _rowsWarp(device.Stream, Narrow(device, "softmax.rows_warp", s), s, x, y);
        }

        public void Backward(IlgpuAccelerator device, in Shape s, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx)
        {
            if (s.Cols >= WideCols) _backwardGroup(device.Stream, Wide(device, "softmax.backward_group", s), s, y, dy, dx);
            else _backwardWarp(device.Stream, Narrow(device, "softmax.backward_warp", s), s, y, dy, dx);
        }

        public void CrossEntropy(IlgpuAccelerator device, in Shape s, ArrayView<float> logits, ArrayView<int> labels, ArrayView<float> classWeights,
            ArrayView<float> rowLoss, ArrayView<float> grad)
        {
            if (s.Cols >= WideCols) _xentGroup(device.Stream, Wide(device, "softmax.xent_group", s), s, logits, labels, classWeights, rowLoss, grad);
            else _xentWarp(device.Stream, Narrow(device, "softmax.xent_warp", s), s, logits, labels, classWeights, rowLoss, grad);
        }

        private static KernelConfig Narrow(IlgpuAccelerator device, string name, in Shape s)
            => device.Config(name, new Index3D(Launch.StrideGroups(s.Rows, NarrowThreads / s.Team), 1, 1), new Index3D(NarrowThreads, 1, 1));

        /// <summary>Lanes per narrow row: about two elements each, at least 2, at most a warp.</summary>
        public static int TeamFor(IlgpuAccelerator device, int cols)
            => Math.Min(device.WarpSize, Math.Max(2, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)((cols + 1) / 2))));

        private static KernelConfig Wide(IlgpuAccelerator device, string name, in Shape s)
            => device.Config(name, new Index3D(Launch.StrideGroups(s.Rows, 1), 1, 1), new Index3D(WideThreads, 1, 1));
    }
}
