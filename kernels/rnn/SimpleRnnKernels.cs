using EcgGpu.Runtime.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using Rows1 = EcgGpu.Kernels.RecurrentKernels.Rows1;
using Rows2 = EcgGpu.Kernels.RecurrentKernels.Rows2;
using Rows4 = EcgGpu.Kernels.RecurrentKernels.Rows4;
using Sequence = EcgGpu.Kernels.RecurrentKernels.Sequence;

namespace EcgGpu.Kernels;

/// <summary>
/// ILGPU device code for the SimpleRNN over a whole sequence in one launch per layer: h' = act(x·W + b + U h + c),
/// act tanh or relu.
/// </summary>
/// <remarks>
/// pre (N, L, H) enters as x·W (one GEMM before the launch) and leaves as x·W + b, as on the managed CPU; with h that
/// is 2H floats per step and row, and the backward pass takes the derivative from h. A group owns R batch rows
/// (R = 1, 2 or 4, one compiled kernel each); thread j owns hidden unit j; h_{t−1} of the rows sits in shared
/// memory and each read of U (H, H) serves all R rows.
/// </remarks>
public static class SimpleRnnKernels
{
    public static void Forward1(Sequence s, ArrayView<float> pre, ArrayView<float> u, ArrayView<float> bias, ArrayView<float> biasR, ArrayView<float> h)
        => Forward<Rows1>(s, pre, u, bias, biasR, h);

    public static void Forward2(Sequence s, ArrayView<float> pre, ArrayView<float> u, ArrayView<float> bias, ArrayView<float> biasR, ArrayView<float> h)
        => Forward<Rows2>(s, pre, u, bias, biasR, h);

    public static void Forward4(Sequence s, ArrayView<float> pre, ArrayView<float> u, ArrayView<float> bias, ArrayView<float> biasR, ArrayView<float> h)
        => Forward<Rows4>(s, pre, u, bias, biasR, h);

    public static void Backward1(Sequence s, ArrayView<float> h, ArrayView<float> dh, ArrayView<float> u, ArrayView<float> dpre, ArrayView<float> partial)
        => Backward<Rows1>(s, h, dh, u, dpre, partial);

    public static void Backward2(Sequence s, ArrayView<float> h, ArrayView<float> dh, ArrayView<float> u, ArrayView<float> dpre, ArrayView<float> partial)
        => Backward<Rows2>(s, h, dh, u, dpre, partial);

    public static void Backward4(Sequence s, ArrayView<float> h, ArrayView<float> dh, ArrayView<float> u, ArrayView<float> dpre, ArrayView<float> partial)
        => Backward<Rows4>(s, h, dh, u, dpre, partial);

    private static void Forward<TRows>(Sequence s, ArrayView<float> pre, ArrayView<float> u, ArrayView<float> bias, ArrayView<float> biasR, ArrayView<float> h)
        where TRows : struct, RecurrentKernels.IRows
    {
        int rows = default(TRows).Count;
        var hs = SharedMemory.GetDynamic<float>(); // hs[b·H + j] = h_{t−1} of row n0 + b
        int H = s.H, j = Group.IdxX, n0 = Grid.IdxX * rows;
        float b1 = bias[j], c1 = biasR.Length > 0 ? biasR[j] : 0f;
        for (int t = 0; t < s.L; t++)
        {
            float a0 = Load(s, pre, n0, t, j, b1), a1 = 0f, a2 = 0f, a3 = 0f; // x·W + b, stored back
            if (rows > 1) a1 = Load(s, pre, n0 + 1, t, j, b1);
            if (rows > 2) { a2 = Load(s, pre, n0 + 2, t, j, b1); a3 = Load(s, pre, n0 + 3, t, j, b1); }
            a0 += c1;
            a1 += c1;
            a2 += c1;
            a3 += c1;
            if (t > 0)
                for (int k = 0; k < H; k++)
                {
                    float w = u[(long)k * H + j];
                    a0 += w * hs[k];
                    if (rows > 1) a1 += w * hs[H + k];
                    if (rows > 2) { a2 += w * hs[2 * H + k]; a3 += w * hs[3 * H + k]; }
                }
            Group.Barrier(); // every read of hs for this step is done
            Step(s, h, hs, n0, 0, t, j, a0);
            if (rows > 1) Step(s, h, hs, n0, 1, t, j, a1);
            if (rows > 2) { Step(s, h, hs, n0, 2, t, j, a2); Step(s, h, hs, n0, 3, t, j, a3); }
            Group.Barrier();
        }
    }

    /// <summary>x·W + b of row n, written back in place (a group's spare rows read the last row and store nothing).</summary>
    private static float Load(in Sequence s, ArrayView<float> pre, int n, int t, int j, float b)
    {
        bool own = n < s.N;
        if (!own) n = s.N - 1;
        long p = ((long)n * s.L + t) * s.H + j;
        float v = pre[p] + b;
        if (own) pre[p] = v;
        return v;
    }

    private static void Step(in Sequence s, ArrayView<float> h, ArrayView<float> hs, int n0, int b, int t, int j, float a)
    {
        float hv = s.Relu != 0 ? MathF.Max(a, 0f) : MathF.Tanh(a);
        hs[b * s.H + j] = hv;
        int n = n0 + b;
        if (n < s.N) h[((long)n * s.L + t) * s.H + j] = hv;
    }

    /// <summary>
    /// dpre (N, L, H): the gradient of the pre-activation, which is both x·W + b and U h + c; dh_{t−1} = dpre_t · Uᵀ.
    /// Each thread also sums dpre over its rows and steps: partial (groups, H).
    /// </summary>
    private static void Backward<TRows>(Sequence s, ArrayView<float> h, ArrayView<float> dh, ArrayView<float> u, ArrayView<float> dpre, ArrayView<float> partial)
        where TRows : struct, RecurrentKernels.IRows
    {
        int rows = default(TRows).Count;
        var shared = SharedMemory.GetDynamic<float>(); // dhs[b·H + j] (rows·H), then dg[b·H + m] (rows·H)
        int H = s.H, j = Group.IdxX, n0 = Grid.IdxX * rows, dg = rows * H;
        for (int b = 0; b < rows; b++) shared[b * H + j] = 0f; // only thread j reads or writes slot j
        float sum = 0f;
        for (int t = s.L - 1; t >= 0; t--)
        {
            BackStep(s, h, dh, dpre, shared, rows, n0, 0, t, j, ref sum);
            if (rows > 1) BackStep(s, h, dh, dpre, shared, rows, n0, 1, t, j, ref sum);
            if (rows > 2) { BackStep(s, h, dh, dpre, shared, rows, n0, 2, t, j, ref sum); BackStep(s, h, dh, dpre, shared, rows, n0, 3, t, j, ref sum); }
            Group.Barrier(); // dg of this step is complete
            if (t > 0)
            {
                float p0 = 0f, p1 = 0f, p2 = 0f, p3 = 0f;
                long ur = (long)j * H;
                for (int m = 0; m < H; m++)
                {
                    float w = u[ur + m];
                    p0 += w * shared[dg + m];
                    if (rows > 1) p1 += w * shared[dg + H + m];
                    if (rows > 2) { p2 += w * shared[dg + 2 * H + m]; p3 += w * shared[dg + 3 * H + m]; }
                }
                shared[j] = p0;
                if (rows > 1) shared[H + j] = p1;
                if (rows > 2) { shared[2 * H + j] = p2; shared[3 * H + j] = p3; }
            }
            Group.Barrier(); // every read of dg is done before the next step writes it
        }
        partial[(long)Grid.IdxX * H + j] = sum;
    }

    private static void BackStep(in Sequence s, ArrayView<float> h, ArrayView<float> dh, ArrayView<float> dpre, ArrayView<float> shared,
        int rows, int n0, int b, int t, int j, ref float sum)
    {
        int H = s.H, n = n0 + b;
        bool own = n < s.N;
        if (!own) n = s.N - 1;
        long at = ((long)n * s.L + t) * H + j;
        float hv = h[at];
        float d = dh[at] + shared[b * H + j];
        float da = s.Relu != 0 ? (hv > 0f ? d : 0f) : d * (1f - hv * hv);
        shared[rows * H + b * H + j] = da;
        if (!own) return;
        dpre[at] = da;
        sum += da;
    }

    /// <summary>The family's kernels loaded on one accelerator, one per rows-per-group count.</summary>
    public sealed class Loaded : IKernelFamily<Loaded>
    {
        private readonly Action<AcceleratorStream, KernelConfig, Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>[] _forward = new Action<AcceleratorStream, KernelConfig, Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>[3];
        private readonly Action<AcceleratorStream, KernelConfig, Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>[] _backward = new Action<AcceleratorStream, KernelConfig, Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>[3];

        public static Loaded Load(IlgpuAccelerator accelerator)
        {
            var l = new Loaded();
            var native = accelerator.Native;
            l._forward[0] = native.LoadKernel<Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Forward1);
            l._forward[1] = native.LoadKernel<Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Forward2);
            l._forward[2] = native.LoadKernel<Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Forward4);
            l._backward[0] = native.LoadKernel<Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Backward1);
            l._backward[1] = native.LoadKernel<Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Backward2);
            l._backward[2] = native.LoadKernel<Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Backward4);
            return l;
        }

        public void Forward(IlgpuAccelerator device, int rows, Sequence s, ArrayView<float> pre, ArrayView<float> u, ArrayView<float> bias, ArrayView<float> biasR, ArrayView<float> h)
            => _forward[Recurrent.RowsSlot(rows)](device.Stream, Recurrent.SequenceConfig(device, "rnn.forward", s, rows, rows * s.H), s, pre, u, bias, biasR, h);

        public void Backward(IlgpuAccelerator device, int rows, Sequence s, ArrayView<float> h, ArrayView<float> dh, ArrayView<float> u, ArrayView<float> dpre, ArrayView<float> partial)
            => _backward[Recurrent.RowsSlot(rows)](device.Stream, Recurrent.SequenceConfig(device, "rnn.backward", s, rows, rows * 2 * s.H), s, h, dh, u, dpre, partial);
    }
}
