using EcgGpu.Runtime.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace EcgGpu.Kernels;

/// <summary>
/// ILGPU device code for element-wise arithmetic, activations and their gradients, bias add, bias gradient and
/// the per-sample transpose.
/// </summary>
/// <remarks>
/// The element-wise kernels take one thread per element (ILGPU picks the group size). The bias gradient is a
/// reduction per channel, never one thread looping over a whole channel: <see cref="BiasGradRows"/> (inner &gt; 1,
/// e.g. conv (N, C, L)) gives each channel a power-of-two number of threads (all 256 of a group once the
/// channel holds 2,048 values or more; fewer, with several channels per group, for short ones) that stride over
/// its outer·inner values — consecutive threads read consecutive samples — and add their partials in shared
/// memory; <see cref="BiasGradColumns"/> (inner = 1, dense (N, C)) gives a group 32 neighbouring channels × 8 row
/// lanes, so each warp reads 32 consecutive floats of a row. Both finish in two or three barriers rather than a
/// log2 tree: cheap on a GPU, and far cheaper on ILGPU's CPU accelerator, where every barrier of a 256-thread
/// group costs milliseconds. Channel tiles run along grid X with a grid-stride loop.
/// </remarks>
public static class ElementwiseKernels
{
    /// <summary>Threads per group of the bias-gradient kernels.</summary>
    public const int ReduceThreads = 256;

    /// <summary>Channels per group (one warp wide) and row lanes per group of <see cref="BiasGradColumns"/>.</summary>
    public const int ColumnChannels = 32, ColumnLanes = ReduceThreads / ColumnChannels;

    /// <summary>Scalars of y = α·x + β·y.</summary>
    public struct Scalars
    {
        public float Alpha, Beta;
    }

    /// <summary>A tensor (outer, channels, inner) for bias add and bias gradient; Lanes: threads per channel of <see cref="BiasGradRows"/>.</summary>
    public struct BiasShape
    {
        public int Outer, Channels, Inner, Lanes;
    }

    /// <summary>Per-sample transpose (N, A, B) → (N, B, A).</summary>
    public struct TransposeShape
    {
        public int A, B;
    }

    public static void Add(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c) => c[i] = a[i] + b[i];

    public static void Multiply(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c) => c[i] = a[i] * b[i];

    /// <summary>y = α·x + β·y; β = 0 never reads y (it may hold garbage).</summary>
    public static void Axpby(Index1D i, Scalars s, ArrayView<float> x, ArrayView<float> y)
        => y[i] = s.Beta == 0f ? s.Alpha * x[i] : s.Alpha * x[i] + s.Beta * y[i];

    /// <summary>g *= clip / ‖g‖ where ‖g‖ = √normSquared[0] exceeds clip (a NaN norm leaves g as it is).</summary>
    public static void ClipByNorm(Index1D i, float clip, ArrayView<float> normSquared, ArrayView<float> g)
    {
        float norm = MathF.Sqrt(normSquared[0]);
        if (norm > clip) g[i] *= clip / norm;
    }

    public static void ActivationForward(Index1D i, int act, ArrayView<float> x, ArrayView<float> y) => y[i] = Activate(act, x[i]);

    /// <summary>dx = dy · act'(y), the derivative written through the forward output y.</summary>
    public static void ActivationBackward(Index1D i, int act, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx)
        => dx[i] = dy[i] * Gradient(act, y[i]);

    /// <summary>x[o, c, i] += bias[c].</summary>
    public static void BiasAdd(Index1D i, BiasShape s, ArrayView<float> x, ArrayView<float> bias)
        => x[i] += bias[i / s.Inner % s.Channels];

    /// <summary>
    /// db[c] = Σ over o, i of dy[o, c, i]: each channel gets <see cref="BiasShape.Lanes"/> threads (a power of two,
    /// a whole group for long channels) that stride over its outer·inner values, then add their partials.
    /// </summary>
    public static void BiasGradRows(BiasShape s, ArrayView<float> dy, ArrayView<float> db)
    {
        var partial = SharedMemory.Allocate<float>(ReduceThreads);
        int t = Group.IdxX, lanes = s.Lanes, lane = t & (lanes - 1), first = t - lane;
        int perGroup = ReduceThreads / lanes, wide = lanes < 32 ? lanes : 32;
        long count = (long)s.Outer * s.Inner;
        int tiles = (s.Channels + perGroup - 1) / perGroup;
        for (int tile = Grid.IdxX; tile < tiles; tile += Grid.DimX)
        {
            int c = tile * perGroup + t / lanes;
            float sum = 0f;
            if (c < s.Channels)
                for (long j = lane; j < count; j += lanes)
                {
                    long o = j / s.Inner, i = j - o * s.Inner;
                    sum += dy[(o * s.Channels + c) * s.Inner + i];
                }
            partial[t] = sum;
            Group.Barrier();
            // Two stages, two barriers (a tree would take log2(lanes)): the first 32 lanes of a channel add
            // every 32nd partial, then lane 0 adds those 32.
            if (lane < wide)
            {
                float v = 0f;
                for (int k = lane + wide; k < lanes; k += wide) v += partial[first + k];
                partial[t] += v;
            }
            Group.Barrier();
            if (lane == 0 && c < s.Channels)
            {
                float total = 0f;
                for (int k = 0; k < wide; k++) total += partial[first + k];
                db[c] = total;
            }
            Group.Barrier(); // partial is reused by the next tile
        }
    }

    /// <summary>db[c] = Σ_o dy[o, c] (inner = 1): 32 channels per group, 8 row lanes each.</summary>
    public static void BiasGradColumns(BiasShape s, ArrayView<float> dy, ArrayView<float> db)
    {
        var partial = SharedMemory.Allocate<float>(ReduceThreads); // partial[lane * 32 + channel]
        int tx = Group.IdxX % ColumnChannels, lane = Group.IdxX / ColumnChannels;
        int tiles = (s.Channels + ColumnChannels - 1) / ColumnChannels;
        for (int tile = Grid.IdxX; tile < tiles; tile += Grid.DimX)
        {
            int c = tile * ColumnChannels + tx;
            float sum = 0f;
            if (c < s.Channels)
                for (long o = lane; o < s.Outer; o += ColumnLanes) sum += dy[o * s.Channels + c];
            partial[lane * ColumnChannels + tx] = sum;
            Group.Barrier();
            if (lane == 0 && c < s.Channels)
            {
                float total = 0f;
                for (int k = 0; k < ColumnLanes; k++) total += partial[k * ColumnChannels + tx];
                db[c] = total;
            }
            Group.Barrier();
        }
    }

    /// <summary>y[n, b, a] = x[n, a, b].</summary>
    public static void Transpose(Index1D e, TransposeShape s, ArrayView<float> x, ArrayView<float> y)
    {
        int b = e % s.B, a = e / s.B % s.A, n = e / (s.A * s.B);
        y[((long)n * s.B + b) * s.A + a] = x[e];
    }

    private static float Activate(int act, float x)
    {
        if (act == (int)Activation.Relu) return x > 0f ? x : 0f;
        if (act == (int)Activation.Tanh) return MathF.Tanh(x);
        if (act == (int)Activation.Sigmoid) return 1f / (1f + MathF.Exp(-x));
        return x;
    }

    private static float Gradient(int act, float y)
    {
        if (act == (int)Activation.Relu) return y > 0f ? 1f : 0f;
        if (act == (int)Activation.Tanh) return 1f - y * y;
        if (act == (int)Activation.Sigmoid) return y * (1f - y);
        return 1f;
    }

    /// <summary>The family's kernels loaded on one accelerator.</summary>
    public sealed class Loaded : IKernelFamily<Loaded>
    {
        private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> _add = null!, _multiply = null!;
        private Action<AcceleratorStream, Index1D, Scalars, ArrayView<float>, ArrayView<float>> _axpby = null!;
        private Action<AcceleratorStream, Index1D, int, ArrayView<float>, ArrayView<float>> _forward = null!;
        private Action<AcceleratorStream, Index1D, float, ArrayView<float>, ArrayView<float>> _clipByNorm = null!;
        private Action<AcceleratorStream, Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>> _backward = null!;
        private Action<AcceleratorStream, Index1D, BiasShape, ArrayView<float>, ArrayView<float>> _biasAdd = null!;
        private Action<AcceleratorStream, KernelConfig, BiasShape, ArrayView<float>, ArrayView<float>> _biasGradRows = null!, _biasGradColumns = null!;
        private Action<AcceleratorStream, Index1D, TransposeShape, ArrayView<float>, ArrayView<float>> _transpose = null!;

        public static Loaded Load(IlgpuAccelerator accelerator)
        {
            var a = accelerator.Native;
            return new()
            {
                _add = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Add),
                _multiply = a.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Multiply),
                _axpby = a.LoadAutoGroupedKernel<Index1D, Scalars, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Axpby),
                _forward = a.LoadAutoGroupedKernel<Index1D, int, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.ActivationForward),
                _clipByNorm = a.LoadAutoGroupedKernel<Index1D, float, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.ClipByNorm),
                _backward = a.LoadAutoGroupedKernel<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.ActivationBackward),
                _biasAdd = a.LoadAutoGroupedKernel<Index1D, BiasShape, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.BiasAdd),
                _biasGradRows = a.LoadKernel<BiasShape, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.BiasGradRows),
                _biasGradColumns = a.LoadKernel<BiasShape, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.BiasGradColumns),
                _transpose = a.LoadAutoGroupedKernel<Index1D, TransposeShape, ArrayView<float>, ArrayView<float>>(ElementwiseKernels.Transpose),
            };
        }

        public void Add(IlgpuAccelerator device, int n, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
        {
            if (n > 0) _add(device.Stream, n, a, b, c);
        }

        public void Multiply(IlgpuAccelerator device, int n, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
        {
            if (n > 0) _multiply(device.Stream, n, a, b, c);
        }

        public void Axpby(IlgpuAccelerator device, int n, float alpha, ArrayView<float> x, float beta, ArrayView<float> y)
        {
            if (n > 0) _axpby(device.Stream, n, new Scalars { Alpha = alpha, Beta = beta }, x, y);
        }

        public void ClipByNorm(IlgpuAccelerator device, int n, float clip, ArrayView<float> normSquared, ArrayView<float> g)
        {
            if (n > 0) _clipByNorm(device.Stream, n, clip, normSquared, g);
        }

        public void Forward(IlgpuAccelerator device, int n, Activation act, ArrayView<float> x, ArrayView<float> y)
        {
            if (n > 0) _forward(device.Stream, n, (int)act, x, y);
        }

        public void Backward(IlgpuAccelerator device, int n, Activation act, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx)
        {
            if (n > 0) _backward(device.Stream, n, (int)act, y, dy, dx);
        }

        public void BiasAdd(IlgpuAccelerator device, in BiasShape s, ArrayView<float> x, ArrayView<float> bias)
        {
            int n = checked(s.Outer * s.Channels * s.Inner);
            if (n > 0) _biasAdd(device.Stream, n, s, x, bias);
        }

        public void BiasGrad(IlgpuAccelerator device, in BiasShape s, ArrayView<float> dy, ArrayView<float> db)
        {
            if (s.Channels <= 0) return;
            var group = new Index3D(ReduceThreads, 1, 1);
            if (s.Inner == 1)
            {
                var grid = new Index3D(GridSize.StrideGroups(s.Channels, ColumnChannels), 1, 1);
                _biasGradColumns(device.Stream, device.Config("elementwise.bias_grad_columns", grid, group), s, dy, db);
            }
            else
            {
                // About 8 values per thread: short channels share a group, long ones take all 256 threads.
                long count = (long)s.Outer * s.Inner;
                int lanes = 1;
                while (lanes < ReduceThreads && (long)lanes * 8 < count) lanes *= 2;
                var shape = s with { Lanes = lanes };
                var grid = new Index3D(GridSize.StrideGroups(s.Channels, ReduceThreads / lanes), 1, 1);
                _biasGradRows(device.Stream, device.Config("elementwise.bias_grad_rows", grid, group), shape, dy, db);
            }
        }

        public void Transpose(IlgpuAccelerator device, int n, int a, int b, ArrayView<float> x, ArrayView<float> y)
        {
            int count = checked(n * a * b);
            if (count > 0) _transpose(device.Stream, count, new TransposeShape { A = a, B = b }, x, y);
        }
    }
}
