using EcgGpu.Runtime.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace EcgGpu.Kernels;

/// <summary>
/// ILGPU device code for the part of attention that is not a GEMM: the key mask fused into a row softmax
/// over the keys, and that softmax's backward pass.
/// </summary>
/// <remarks>
/// A segment of S threads per score row (N·Lq rows of Lk keys), S the power of two at or above Lk, capped at
/// <see cref="Threads"/>; a group of <see cref="Threads"/> threads holds Threads / S rows. So a 187-key row
/// (the rnn-attention model) gets a whole group, and a 4-key row 4 threads instead of an idle warp. Each
/// thread takes keys j, j + S, ... of its row (rows longer than the group loop), and the max, the sum of
/// exponentials and the backward dot product are tree reductions over the segment in shared memory.
/// Groups of rows run along grid X, capped at 65,535 groups, and each group strides over the rows it is
/// given, so any row count launches. A thread writes only the keys it read, so both kernels work in place.
/// </remarks>
public static class AttentionKernels
{
    /// <summary>Threads per group; a power of two, as the tree reductions need.</summary>
    public const int Threads = 256;

    /// <summary>
    /// Count = N·Lq score rows of Length = Lk keys; Lq maps a row to its batch entry's mask; Segment threads
    /// (a power of two, at most <see cref="Threads"/>) share a row.
    /// </summary>
    public struct Rows
    {
        public int Count, Length, Lq, Segment;
    }

    /// <summary>
    /// scores[r, k] = softmax over k of (scores[r, k] − 1e9·(1 − mask[n, k])) in place, max subtracted; an
    /// empty <paramref name="mask"/> means no mask. The mask term is the one Keras (and the CPU path) uses.
    /// </summary>
    public static void MaskedSoftmax(Rows p, ArrayView<float> scores, ArrayView<float> mask)
    {
        var buf = SharedMemory.Allocate<float>(Threads);
        int t = Group.IdxX, seg = p.Segment, j0 = t & (seg - 1), perGroup = Threads / seg;
        bool masked = mask.Length > 0;
        for (long r0 = (long)Grid.IdxX * perGroup; r0 < p.Count; r0 += (long)Grid.DimX * perGroup)
        {
            // Threads past the last row still take part in every barrier, with empty key ranges.
            long r = r0 + t / seg;
            int keys = r < p.Count ? p.Length : 0;
            long o = r * p.Length, mo = r / p.Lq * p.Length;
            float m = float.NegativeInfinity;
            for (int k = j0; k < keys; k += seg)
                m = MathF.Max(m, masked ? scores[o + k] - 1e9f * (1f - mask[mo + k]) : scores[o + k]);
            m = ReduceMax(buf, t, seg, m);
            float s = 0f;
            for (int k = j0; k < keys; k += seg)
            {
                float x = masked ? scores[o + k] - 1e9f * (1f - mask[mo + k]) : scores[o + k];
                float e = MathF.Exp(x - m);
                scores[o + k] = e;
                s += e;
            }
            float inv = 1f / ReduceSum(buf, t, seg, s);
            for (int k = j0; k < keys; k += seg) scores[o + k] *= inv;
        }
    }

    /// <summary>grad[r, k] = y[r, k]·(grad[r, k] − Σ_j grad[r, j]·y[r, j]) in place: dWeights to dScores.</summary>
    public static void SoftmaxBackward(Rows p, ArrayView<float> y, ArrayView<float> grad)
    {
        var buf = SharedMemory.Allocate<float>(Threads);
        int t = Group.IdxX, seg = p.Segment, j0 = t & (seg - 1), perGroup = Threads / seg;
        for (long r0 = (long)Grid.IdxX * perGroup; r0 < p.Count; r0 += (long)Grid.DimX * perGroup)
        {
            long r = r0 + t / seg;
            int keys = r < p.Count ? p.Length : 0;
            long o = r * p.Length;
            float dot = 0f;
            for (int k = j0; k < keys; k += seg) dot += grad[o + k] * y[o + k];
            dot = ReduceSum(buf, t, seg, dot);
            for (int k = j0; k < keys; k += seg) grad[o + k] = y[o + k] * (grad[o + k] - dot);
        }
    }

    // Tree reductions over aligned segments of seg threads; every thread gets its segment's result.
    private static float ReduceMax(ArrayView<float> buf, int t, int seg, float v)
    {
        buf[t] = v;
        Group.Barrier();
        for (int h = seg / 2; h > 0; h /= 2)
        {
            if ((t & (seg - 1)) < h) buf[t] = MathF.Max(buf[t], buf[t + h]);
            Group.Barrier();
        }
        float result = buf[t & ~(seg - 1)];
        Group.Barrier(); // everyone has read the result before buf is reused
        return result;
    }

    private static float ReduceSum(ArrayView<float> buf, int t, int seg, float v)
    {
        buf[t] = v;
        Group.Barrier();
        for (int h = seg / 2; h > 0; h /= 2)
        {
            if ((t & (seg - 1)) < h) buf[t] += buf[t + h];
            Group.Barrier();
        }
        float result = buf[t & ~(seg - 1)];
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

        /// <summary>Groups of Threads / Segment rows along grid X, capped at 65,535 (the kernels stride over the rest).</summary>
        private static KernelConfig Config(IlgpuAccelerator device, string kernel, in Rows p)
        {
            long groups = (p.Count + Threads / p.Segment - 1) / (Threads / p.Segment);
            return device.Config(kernel, new Index3D((int)Math.Min(groups, 65_535), 1, 1), new Index3D(Threads, 1, 1));
        }
    }
}
