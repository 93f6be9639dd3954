using EcgGpu.Runtime.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using Rows1 = EcgGpu.Kernels.RecurrentKernels.Rows1;
using Rows2 = EcgGpu.Kernels.RecurrentKernels.Rows2;
using Rows4 = EcgGpu.Kernels.RecurrentKernels.Rows4;
using Sequence = EcgGpu.Kernels.RecurrentKernels.Sequence;

namespace EcgGpu.Kernels;

/// <summary>
/// ILGPU device code for the GRU over a whole sequence in one launch per layer, reset gate after the recurrent
/// product (Keras reset_after=True = PyTorch): r = σ(a_r + U_r h + c_r), z = σ(a_z + U_z h + c_z),
/// n = act(a_n + r ⊙ (U_n h + c_n)), h' = (1 − z) ⊙ n + z ⊙ h, act tanh or relu. Gates r, z, n (PyTorch order).
/// </summary>
/// <remarks>
/// gates (N, L, 3H) enter as x·W (one GEMM before the launch; b is added here) and leave activated; hn (N, L, H)
/// keeps U_n h + c_n for the backward pass (3H + H + h = 5H floats per step and row). A group owns R batch rows
/// (R = 1, 2 or 4, one compiled kernel each); thread j owns hidden unit j; h_{t−1} of the rows sits in shared
/// memory and each read of U serves all R rows.
/// </remarks>
public static class GruKernels
{
    private struct Three
    {
        public float R, Z, N;
    }

    public static void Forward1(Sequence s, ArrayView<float> gates, ArrayView<float> u, ArrayView<float> bias, ArrayView<float> biasR, ArrayView<float> h, ArrayView<float> hn)
        => Forward<Rows1>(s, gates, u, bias, biasR, h, hn);

    public static void Forward2(Sequence s, ArrayView<float> gates, ArrayView<float> u, ArrayView<float> bias, ArrayView<float> biasR, ArrayView<float> h, ArrayView<float> hn)
        => Forward<Rows2>(s, gates, u, bias, biasR, h, hn);

    public static void Forward4(Sequence s, ArrayView<float> gates, ArrayView<float> u, ArrayView<float> bias, ArrayView<float> biasR, ArrayView<float> h, ArrayView<float> hn)
        => Forward<Rows4>(s, gates, u, bias, biasR, h, hn);

    public static void Backward1(Sequence s, ArrayView<float> gates, ArrayView<float> hn, ArrayView<float> h, ArrayView<float> dh, ArrayView<float> u, ArrayView<float> dx, ArrayView<float> drec, ArrayView<float> partial)
        => Backward<Rows1>(s, gates, hn, h, dh, u, dx, drec, partial);

    public static void Backward2(Sequence s, ArrayView<float> gates, ArrayView<float> hn, ArrayView<float> h, ArrayView<float> dh, ArrayView<float> u, ArrayView<float> dx, ArrayView<float> drec, ArrayView<float> partial)
        => Backward<Rows2>(s, gates, hn, h, dh, u, dx, drec, partial);

    public static void Backward4(Sequence s, ArrayView<float> gates, ArrayView<float> hn, ArrayView<float> h, ArrayView<float> dh, ArrayView<float> u, ArrayView<float> dx, ArrayView<float> drec, ArrayView<float> partial)
        => Backward<Rows4>(s, gates, hn, h, dh, u, dx, drec, partial);

    private static void Forward<TRows>(Sequence s, ArrayView<float> gates, ArrayView<float> u, ArrayView<float> bias, ArrayView<float> biasR, ArrayView<float> h, ArrayView<float> hn)
        where TRows : struct, RecurrentKernels.IRows
    {
        int rows = default(TRows).Count;
        var hs = SharedMemory.GetDynamic<float>(); // hs[b·H + j] = h_{t−1} of row n0 + b
        int H = s.H, G = 3 * H, j = Group.IdxX, n0 = Grid.IdxX * rows;
        Three c3, b3;
        c3.R = biasR.Length > 0 ? biasR[j] : 0f;
        c3.Z = biasR.Length > 0 ? biasR[H + j] : 0f;
        c3.N = biasR.Length > 0 ? biasR[2 * H + j] : 0f;
        b3.R = bias[j];
        b3.Z = bias[H + j];
        b3.N = bias[2 * H + j];
        for (int t = 0; t < s.L; t++)
        {
            Three r0 = c3, r1 = c3, r2 = c3, r3 = c3; // U h + c
            float h0 = 0f, h1 = 0f, h2 = 0f, h3 = 0f;  // this thread's h_{t−1}
            if (t > 0)
            {
                for (int k = 0; k < H; k++)
                {
                    long at = (long)k * G + j;
                    float ur = u[at], uz = u[at + H], un = u[at + 2 * H];
                    Fma(ref r0, ur, uz, un, hs[k]);
                    if (rows > 1) Fma(ref r1, ur, uz, un, hs[H + k]);
                    if (rows > 2) { Fma(ref r2, ur, uz, un, hs[2 * H + k]); Fma(ref r3, ur, uz, un, hs[3 * H + k]); }
                }
                h0 = hs[j];
                if (rows > 1) h1 = hs[H + j];
                if (rows > 2) { h2 = hs[2 * H + j]; h3 = hs[3 * H + j]; }
            }
            Group.Barrier(); // every read of hs for this step is done
            Step(s, gates, h, hn, hs, n0, 0, t, j, b3, r0, h0);
            if (rows > 1) Step(s, gates, h, hn, hs, n0, 1, t, j, b3, r1, h1);
            if (rows > 2) { Step(s, gates, h, hn, hs, n0, 2, t, j, b3, r2, h2); Step(s, gates, h, hn, hs, n0, 3, t, j, b3, r3, h3); }
            Group.Barrier();
        }
    }

    private static void Fma(ref Three a, float ur, float uz, float un, float hk)
    {
        a.R += ur * hk;
        a.Z += uz * hk;
        a.N += un * hk;
    }

    private static void Step(in Sequence s, ArrayView<float> gates, ArrayView<float> h, ArrayView<float> hn, ArrayView<float> hs,
        int n0, int b, int t, int j, in Three b3, in Three rec, float hold)
    {
        int H = s.H, n = n0 + b;
        bool own = n < s.N;
        if (!own) n = s.N - 1; // a group's spare rows compute on the last row and store nothing
        long row = (long)n * s.L + t, p = row * 3 * H + j;
        float r = Sigmoid(gates[p] + b3.R + rec.R);
        float z = Sigmoid(gates[p + H] + b3.Z + rec.Z);
        float a = gates[p + 2 * H] + b3.N + r * rec.N;
        float nv = s.Relu != 0 ? MathF.Max(a, 0f) : MathF.Tanh(a);
        float hv = (1f - z) * nv + z * hold;
        hs[b * H + j] = hv;
        if (!own) return;
        gates[p] = r;
        gates[p + H] = z;
        gates[p + 2 * H] = nv;
        hn[row * H + j] = rec.N;
        h[row * H + j] = hv;
    }

    /// <summary>
    /// Backward: dx (N, L, 3H) are the gradients of x·W + b (input side), drec (N, L, 3H) those of U h + c
    /// (recurrent side); they differ only in the candidate: d(a_n) against r ⊙ d(a_n). dh_{t−1} = z ⊙ dh_t +
    /// drec_t · Uᵀ. Each thread also sums both over its rows and steps: partial (groups, 6H) = [Σ dx | Σ drec].
    /// </summary>
    private static void Backward<TRows>(Sequence s, ArrayView<float> gates, ArrayView<float> hn, ArrayView<float> h, ArrayView<float> dh,
        ArrayView<float> u, ArrayView<float> dx, ArrayView<float> drec, ArrayView<float> partial)
        where TRows : struct, RecurrentKernels.IRows
    {
        int rows = default(TRows).Count;
        var shared = SharedMemory.GetDynamic<float>(); // dhs[b·H + j] (rows·H), then dg[b·3H + m] (rows·3H)
        int H = s.H, G = 3 * H, j = Group.IdxX, n0 = Grid.IdxX * rows, dg = rows * H;
        for (int b = 0; b < rows; b++) shared[b * H + j] = 0f; // only thread j reads or writes slot j
        Three sum = default;
        float sumRn = 0f;
        for (int t = s.L - 1; t >= 0; t--)
        {
            float e0 = BackStep(s, gates, hn, h, dh, dx, drec, shared, rows, n0, 0, t, j, ref sum, ref sumRn), e1 = 0f, e2 = 0f, e3 = 0f;
            if (rows > 1) e1 = BackStep(s, gates, hn, h, dh, dx, drec, shared, rows, n0, 1, t, j, ref sum, ref sumRn);
            if (rows > 2) { e2 = BackStep(s, gates, hn, h, dh, dx, drec, shared, rows, n0, 2, t, j, ref sum, ref sumRn); e3 = BackStep(s, gates, hn, h, dh, dx, drec, shared, rows, n0, 3, t, j, ref sum, ref sumRn); }
            Group.Barrier(); // dg of this step is complete
            if (t > 0)
            {
                long ur = (long)j * G;
                for (int m = 0; m < G; m++)
                {
                    float w = u[ur + m];
                    e0 += w * shared[dg + m];
                    if (rows > 1) e1 += w * shared[dg + G + m];
                    if (rows > 2) { e2 += w * shared[dg + 2 * G + m]; e3 += w * shared[dg + 3 * G + m]; }
                }
                shared[j] = e0;
                if (rows > 1) shared[H + j] = e1;
                if (rows > 2) { shared[2 * H + j] = e2; shared[3 * H + j] = e3; }
            }
            Group.Barrier(); // every read of dg is done before the next step writes it
        }
        long q = (long)Grid.IdxX * 2 * G + j;
        partial[q] = sum.R;
        partial[q + H] = sum.Z;
        partial[q + 2 * H] = sum.N;
        partial[q + G] = sum.R;
        partial[q + G + H] = sum.Z;
        partial[q + G + 2 * H] = sumRn;
    }

    /// <summary>One row's step; returns the direct part z ⊙ dh of dh_{t−1}.</summary>
    private static float BackStep(in Sequence s, ArrayView<float> gates, ArrayView<float> hn, ArrayView<float> h, ArrayView<float> dh,
        ArrayView<float> dx, ArrayView<float> drec, ArrayView<float> shared, int rows, int n0, int b, int t, int j, ref Three sum, ref float sumRn)
    {
        int H = s.H, n = n0 + b;
        bool own = n < s.N;
        if (!own) n = s.N - 1;
        long row = (long)n * s.L + t, p = row * 3 * H + j;
        float r = gates[p], z = gates[p + H], nv = gates[p + 2 * H];
        float hprev = t > 0 ? h[(row - 1) * H + j] : 0f;
        float d = dh[row * H + j] + shared[b * H + j];
        float dn = d * (1f - z);
        float dz = d * (hprev - nv);
        float dan = s.Relu != 0 ? (nv > 0f ? dn : 0f) : dn * (1f - nv * nv);
        float dar = dan * hn[row * H + j] * r * (1f - r);
        float daz = dz * z * (1f - z);
        float dhn = dan * r;
        int q = rows * H + b * 3 * H + j;
        shared[q] = dar;
        shared[q + H] = daz;
        shared[q + 2 * H] = dhn;
        if (own)
        {
            dx[p] = dar;
            dx[p + H] = daz;
            dx[p + 2 * H] = dan;
            drec[p] = dar;
            drec[p + H] = daz;
            drec[p + 2 * H] = dhn;
            sum.R += dar;
            sum.Z += daz;
            sum.N += dan;
            sumRn += dhn;
        }
        return d * z;
    }

    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    /// <summary>The family's kernels loaded on one accelerator, one per rows-per-group count.</summary>
    public sealed class Loaded : IKernelFamily<Loaded>
    {
        private readonly Action<AcceleratorStream, KernelConfig, Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>[] _forward = new Action<AcceleratorStream, KernelConfig, Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>[3];
        private readonly Action<AcceleratorStream, KernelConfig, Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>[] _backward = new Action<AcceleratorStream, KernelConfig, Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>[3];

        public static Loaded Load(IlgpuAccelerator accelerator)
        {
            var l = new Loaded();
            var native = accelerator.Native;
            l._forward[0] = native.LoadKernel<Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Forward1);
            l._forward[1] = native.LoadKernel<Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Forward2);
            l._forward[2] = native.LoadKernel<Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Forward4);
            l._backward[0] = native.LoadKernel<Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Backward1);
            l._backward[1] = native.LoadKernel<Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Backward2);
            l._backward[2] = native.LoadKernel<Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Backward4);
            return l;
        }

        public void Forward(IlgpuAccelerator device, int rows, Sequence s, ArrayView<float> gates, ArrayView<float> u, ArrayView<float> bias, ArrayView<float> biasR, ArrayView<float> h, ArrayView<float> hn)
            => _forward[Recurrent.RowsSlot(rows)](device.Stream, Recurrent.SequenceConfig(device, "gru.forward", s, rows, rows * s.H), s, gates, u, bias, biasR, h, hn);

        public void Backward(IlgpuAccelerator device, int rows, Sequence s, ArrayView<float> gates, ArrayView<float> hn, ArrayView<float> h, ArrayView<float> dh,
            ArrayView<float> u, ArrayView<float> dx, ArrayView<float> drec, ArrayView<float> partial)
            => _backward[Recurrent.RowsSlot(rows)](device.Stream, Recurrent.SequenceConfig(device, "gru.backward", s, rows, rows * 4 * s.H), s, gates, hn, h, dh, u, dx, drec, partial);
    }
}
