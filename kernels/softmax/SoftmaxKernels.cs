using EcgGpu.Runtime.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace EcgGpu.Kernels;

/// <summary>
/// ILGPU device code for row softmax, its backward pass and fused softmax cross-entropy (row-major rows × cols).
/// </summary>
/// <remarks>
/// Every row is reduced by a team of threads, never by one thread: a group of <see cref="Threads"/> splits into
/// teams of <see cref="Shape.Team"/> aligned threads (a power of two from 2 to 256, about two elements per thread,
/// as PyTorch's persistent softmax sizes its warps), one row per team: 128 rows of 3 classes or one row of 600
/// columns per group. The max and the sums are tree reductions in shared memory with group barriers (no warp
/// shuffles: ILGPU's OpenCL backend has none without extensions); max and sum use separate buffers so that one
/// barrier per tree level suffices. Rows run along grid X, the grid is sized to the device and groups loop over
/// rows; the loop is uniform per group (a team past the last row still takes part in the barriers). Threads stride
/// along the row, so a group reads a contiguous stretch. Every element a thread writes is one it read itself
/// after the row's reductions, so the output may alias the input (as on the CPU path).
/// </remarks>
public static class SoftmaxKernels
{
    public const int Threads = 256;

    /// <summary>Shape and scalars of one launch.</summary>
    public struct Shape
    {
        public int Rows, Cols;
        /// <summary>Threads per row: a power of two, at least 2, at most <see cref="Threads"/>.</summary>
        public int Team;
        /// <summary>Cross-entropy only: 1 when class weights are given, and the gradient's scale (1 / rows for the mean).</summary>
        public int UseWeights;
        public float GradScale;
    }

    public static void Rows(Shape s, ArrayView<float> x, ArrayView<float> y)
    {
        var bufMax = SharedMemory.Allocate<float>(Threads);
        var bufSum = SharedMemory.Allocate<float>(Threads);
        int tid = Group.IdxX, lane = tid % s.Team, perGroup = Group.DimX / s.Team;
        for (int r0 = Grid.IdxX * perGroup; r0 < s.Rows; r0 += Grid.DimX * perGroup)
        {
            int r = r0 + tid / s.Team, n = r < s.Rows ? s.Cols : 0; // n = 0: a team past the last row
            long o = (long)r * s.Cols;
            float m = float.NegativeInfinity;
            for (int j = lane; j < n; j += s.Team) m = MathF.Max(m, x[o + j]);
            m = TeamMax(m, bufMax, tid, lane, s.Team);
            float sum = 0f;
            for (int j = lane; j < n; j += s.Team)
            {
                float e = MathF.Exp(x[o + j] - m);
                y[o + j] = e;
                sum += e;
            }
            float inv = 1f / TeamSum(sum, bufSum, tid, lane, s.Team);
            for (int j = lane; j < n; j += s.Team) y[o + j] *= inv; // the thread's own writes
        }
    }

    /// <summary>dx = y · (dy − Σ dy·y).</summary>
    public static void Backward(Shape s, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx)
    {
        var bufA = SharedMemory.Allocate<float>(Threads);
        var bufB = SharedMemory.Allocate<float>(Threads);
        int tid = Group.IdxX, lane = tid % s.Team, perGroup = Group.DimX / s.Team;
        int step = 0;
        for (int r0 = Grid.IdxX * perGroup; r0 < s.Rows; r0 += Grid.DimX * perGroup, step++)
        {
            int r = r0 + tid / s.Team, n = r < s.Rows ? s.Cols : 0;
            long o = (long)r * s.Cols;
            float dot = 0f;
            for (int j = lane; j < n; j += s.Team) dot += dy[o + j] * y[o + j];
            // Alternate buffers: the next row may overwrite one only after everyone passed the other's barriers.
            dot = TeamSum(dot, (step & 1) == 0 ? bufA : bufB, tid, lane, s.Team);
            for (int j = lane; j < n; j += s.Team) dx[o + j] = y[o + j] * (dy[o + j] - dot);
        }
    }

    /// <summary>
    /// loss_r = w[label]·(logsumexp(z) − z[label]) and grad = w[label]·scale·(softmax(z) − onehot(label)); weights
    /// follow Keras sample weighting (the mean divides by the row count). A label outside [0, classes) gives a NaN
    /// loss and gradient row, so it cannot pass silently.
    /// </summary>
    public static void CrossEntropy(Shape s, ArrayView<float> logits, ArrayView<int> labels, ArrayView<float> classWeights,
        ArrayView<float> rowLoss, ArrayView<float> grad)
    {
        var bufMax = SharedMemory.Allocate<float>(Threads);
        var bufSum = SharedMemory.Allocate<float>(Threads);
        int tid = Group.IdxX, lane = tid % s.Team, perGroup = Group.DimX / s.Team, classes = s.Cols;
        for (int r0 = Grid.IdxX * perGroup; r0 < s.Rows; r0 += Grid.DimX * perGroup)
        {
            int r = r0 + tid / s.Team;
            bool active = r < s.Rows;
            long o = (long)r * classes;
            int label = active ? labels[r] : 0;
            bool valid = active && label >= 0 && label < classes;
            int n = valid ? classes : 0; // an invalid row still joins the barriers, with nothing to reduce
            float w = valid && s.UseWeights != 0 ? classWeights[label] : 1f;
            float zLabel = valid ? logits[o + label] : 0f; // read before the reductions: grad may alias logits
            float m = float.NegativeInfinity;
            for (int j = lane; j < n; j += s.Team) m = MathF.Max(m, logits[o + j]);
            m = TeamMax(m, bufMax, tid, lane, s.Team);
            float sum = 0f;
            for (int j = lane; j < n; j += s.Team) sum += MathF.Exp(logits[o + j] - m);
            sum = TeamSum(sum, bufSum, tid, lane, s.Team);
            if (!active) continue;
            if (!valid)
            {
                if (lane == 0) rowLoss[r] = float.NaN;
                for (int j = lane; j < classes; j += s.Team) grad[o + j] = float.NaN;
                continue;
            }
            if (lane == 0) rowLoss[r] = w * (m + MathF.Log(sum) - zLabel);
            float inv = 1f / sum, ws = w * s.GradScale;
            for (int j = lane; j < classes; j += s.Team)
                grad[o + j] = ws * (MathF.Exp(logits[o + j] - m) * inv - (j == label ? 1f : 0f));
        }
    }

    /// <summary>
    /// Sum over each team of <paramref name="width"/> aligned threads, returned to all of them: a tree in
    /// <paramref name="buf"/>, one barrier per level. Every thread of the group must call it. The result stays in
    /// the buffer until the caller's next reduction on the same buffer, so alternate buffers between calls.
    /// </summary>
    private static float TeamSum(float v, ArrayView<float> buf, int tid, int lane, int width)
    {
        buf[tid] = v;
        Group.Barrier();
        for (int o = width / 2; o > 0; o /= 2)
        {
            if (lane < o) buf[tid] += buf[tid + o];
            Group.Barrier();
        }
        return buf[tid - lane];
    }

    /// <summary>Max over each team; as <see cref="TeamSum"/>.</summary>
    private static float TeamMax(float v, ArrayView<float> buf, int tid, int lane, int width)
    {
        buf[tid] = v;
        Group.Barrier();
        for (int o = width / 2; o > 0; o /= 2)
        {
            if (lane < o) buf[tid] = MathF.Max(buf[tid], buf[tid + o]);
            Group.Barrier();
        }
        return buf[tid - lane];
    }

    /// <summary>The family's kernels loaded on one accelerator.</summary>
    public sealed class Loaded : IKernelFamily<Loaded>
    {
        private Action<AcceleratorStream, KernelConfig, Shape, ArrayView<float>, ArrayView<float>> _rows = null!;
        private Action<AcceleratorStream, KernelConfig, Shape, ArrayView<float>, ArrayView<float>, ArrayView<float>> _backward = null!;
        private Action<AcceleratorStream, KernelConfig, Shape, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>> _xent = null!;

        public static Loaded Load(IlgpuAccelerator accelerator)
        {
            var a = accelerator.Native;
            return new()
            {
                _rows = a.LoadKernel<Shape, ArrayView<float>, ArrayView<float>>(SoftmaxKernels.Rows),
                _backward = a.LoadKernel<Shape, ArrayView<float>, ArrayView<float>, ArrayView<float>>(SoftmaxKernels.Backward),
                _xent = a.LoadKernel<Shape, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(SoftmaxKernels.CrossEntropy),
            };
        }

        /// <summary>The launch shape for rows × cols (the cross-entropy's scalars left at zero).</summary>
        public static Shape ShapeFor(int rows, int cols) => new()
        {
            Rows = rows, Cols = cols,
            Team = Math.Clamp((int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)((cols + 1) / 2)), 2, Threads),
        };

        public void Forward(IlgpuAccelerator device, in Shape s, ArrayView<float> x, ArrayView<float> y)
            => _rows(device.Stream, Config(device, "softmax.rows", s), s, x, y);

        public void Backward(IlgpuAccelerator device, in Shape s, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx)
            => _backward(device.Stream, Config(device, "softmax.backward", s), s, y, dy, dx);

        public void CrossEntropy(IlgpuAccelerator device, in Shape s, ArrayView<float> logits, ArrayView<int> labels, ArrayView<float> classWeights,
            ArrayView<float> rowLoss, ArrayView<float> grad)
            => _xent(device.Stream, Config(device, "softmax.xent", s), s, logits, labels, classWeights, rowLoss, grad);

        private static KernelConfig Config(IlgpuAccelerator device, string name, in Shape s)
            => device.Config(name, new Index3D(GridSize.WaveGroups(device, GridSize.Groups(s.Rows, Threads / s.Team), Threads), 1, 1), new Index3D(Threads, 1, 1));
    }
}
