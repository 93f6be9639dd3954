using EcgGpu.Runtime.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace EcgGpu.Kernels;

/// <summary>
/// ILGPU device code for the part of attention that is not a GEMM: the key mask fused into a row softmax
/// over the keys, and that softmax's backward pass.
/// </summary>
/// <remarks>
/// One group per score row (N·Lq rows of Lk keys). Rows run along grid X, capped at 65,535 groups, and
/// each group strides over the rows it is given, so any row count launches. Within a row each thread takes
/// keys t, t + group, ... (so rows longer than the group loop), and the max, the sum of exponentials and
/// the backward dot product are tree reductions in shared memory. A thread writes only the keys it read,
/// so both kernels work in place.
/// </remarks>
public static class AttentionKernels
{
    /// <summary>The largest group; a power of two, as the tree reductions need.</summary>
    public const int MaxThreads = 256;

    /// <summary>Rows = N·Lq score rows of Length = Lk keys; Lq maps a row to its batch entry's mask.</summary>
    public struct Rows
    {
        public int Count, Length, Lq;
    }

    /// <summary>
    /// scores[r, k] = softmax over k of (scores[r, k] − 1e9·(1 − mask[n, k])) in place, max subtracted; an
    /// empty <paramref name="mask"/> means no mask. The mask term is the one Keras (and the CPU path) uses.
    /// </summary>
    public static void MaskedSoftmax(Rows p, ArrayView<float> scores, ArrayView<float> mask)
    {
        var buf = SharedMemory.Allocate<float>(MaxThreads);
        int t = Group.IdxX, threads = Group.DimX;
        bool masked = mask.Length > 0;
        for (int r = Grid.IdxX; r < p.Count; r += Grid.DimX)
        {
            long o = (long)r * p.Length, mo = (long)(r / p.Lq) * p.Length;
            float m = float.NegativeInfinity;
            for (int k = t; k < p.Length; k += threads)
                m = MathF.Max(m, masked ? scores[o + k] - 1e9f * (1f - mask[mo + k]) : scores[o + k]);
            m = ReduceMax(buf, t, threads, m);
            float s = 0f;
            for (int k = t; k < p.Length; k += threads)
            {
                float x = masked ? scores[o + k] - 1e9f * (1f - mask[mo + k]) : scores[o + k];
                float e = MathF.Exp(x - m);
                scores[o + k] = e;
                s += e;
            }
            float inv = 1f / ReduceSum(buf, t, threads, s);
            for (int k = t; k < p.Length; k += threads) scores[o + k] *= inv;
        }
    }

    /// <summary>grad[r, k] = y[r, k]·(grad[r, k] − Σ_j grad[r, j]·y[r, j]) in place: dWeights to dScores.</summary>
    public static void SoftmaxBackward(Rows p, ArrayView<float> y, ArrayView<float> grad)
    {
        var buf = SharedMemory.Allocate<float>(MaxThreads);
        int t = Group.IdxX, threads = Group.DimX;
        for (int r = Grid.IdxX; r < p.Count; r += Grid.DimX)
        {
            long o = (long)r * p.Length;
            float dot = 0f;
            for (int k = t; k < p.Length; k += threads) dot += grad[o + k] * y[o + k];
            dot = ReduceSum(buf, t, threads, dot);
            for (int k = t; k < p.Length; k += threads) grad[o + k] = y[o + k] * (grad[o + k] - dot);
        }
    }

    private static float ReduceMax(ArrayView<float> buf, int t, int threads, float v)
    {
        buf[t] = v;
        Group.Barrier();
        for (int h = threads / 2; h > 0; h /= 2)
        {
            if (t < h) buf[t] = MathF.Max(buf[t], buf[t + h]);
            Group.Barrier();
        }
        float result = buf[0];
        Group.Barrier(); // everyone has read the result before buf is reused
        return result;
    }

    private static float ReduceSum(ArrayView<float> buf, int t, int threads, float v)
    {
        buf[t] = v;
        Group.Barrier();
        for (int h = threads / 2; h > 0; h /= 2)
        {
            if (t < h) buf[t] += buf[t + h];
            Group.Barrier();
        }
        float result = buf[0];
        Group.Barrier();
        return result;
    }

    /// <summary>The family's kernels loaded on one accelerator.</summary>
    public sealed class Loaded : IKernelFamily<Loaded>
    {
        private Action<AcceleratorStream, KernelConfig, Rows, ArrayView<float>, ArrayView<float>> _softmax = null!, _backward = null!;

        public static Loaded Load(IlgpuAccelerator accelerator) => new()
        {
            _softmax = accelerator.Native.LoadKernel<Rows, ArrayView<float>, ArrayView<float>>(MaskedSoftmax),
            _backward = accelerator.Native.LoadKernel<Rows, ArrayView<float>, ArrayView<float>>(SoftmaxBackward),
        };

        public void Forward(IlgpuAccelerator device, in Rows p, ArrayView<float> scores, ArrayView<float> mask)
            => _softmax(device.Stream, Config(device, "attention.masked_softmax", p), p, scores, mask);

        public void Backward(IlgpuAccelerator device, in Rows p, ArrayView<float> y, ArrayView<float> grad)
            => _backward(device.Stream, Config(device, "attention.softmax_backward", p), p, y, grad);

        /// <summary>
        /// A group per row, sized to the row (a power of two from a warp up to <see cref="MaxThreads"/>), so
        /// short rows do not leave most threads idle; rows past 65,535 are strided over.
        /// </summary>
        private static KernelConfig Config(IlgpuAccelerator device, string kernel, in Rows p)
        {
            int cap = Math.Min(MaxThreads, device.MaxWorkGroupSize), threads = Math.Min(Math.Max(device.WarpSize, 1), cap);
            while (threads < p.Length && threads * 2 <= cap) threads *= 2;
            return device.Config(kernel, new Index3D(Math.Min(p.Count, 65_535), 1, 1), new Index3D(threads, 1, 1));
        }
    }
}
