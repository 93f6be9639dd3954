using EcgGpu.Runtime.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using Rows1 = EcgGpu.Kernels.RecurrentKernels.Rows1;
using Rows2 = EcgGpu.Kernels.RecurrentKernels.Rows2;
using Rows4 = EcgGpu.Kernels.RecurrentKernels.Rows4;
using Sequence = EcgGpu.Kernels.RecurrentKernels.Sequence;

namespace EcgGpu.Kernels;

/// <summary>
/// ILGPU device code for the LSTM over a whole sequence in one launch per layer (gates i, f, g, o: PyTorch order,
/// Keras i, f, c, o).
/// </summary>
/// <remarks>
/// gates (N, L, 4H) enter holding x·W for every step (one GEMM before the launch) and leave holding the activated
/// gates, which the backward pass reads (stored, not recomputed: 4H floats per step and row, plus c and h = 6H).
/// A group owns R batch rows (R = 1, 2 or 4, one compiled kernel each, chosen by the launcher); thread j owns
/// hidden unit j, keeps c in registers and h_{t−1} of its rows in shared memory. U is (H, 4H) (Keras
/// recurrent_kernel), so in U·h neighbouring threads read neighbouring addresses, and each read of U serves the
/// group's R rows. The input bias b and the recurrent bias c are added here (no separate bias launch).
/// </remarks>
public static class LstmKernels
{
    private struct Four
    {
        public float I, F, G, O;
    }

    public static void Forward1(Sequence s, ArrayView<float> gates, ArrayView<float> u, ArrayView<float> bias, ArrayView<float> biasR, ArrayView<float> h, ArrayView<float> c)
        => Forward<Rows1>(s, gates, u, bias, biasR, h, c);

    public static void Forward2(Sequence s, ArrayView<float> gates, ArrayView<float> u, ArrayView<float> bias, ArrayView<float> biasR, ArrayView<float> h, ArrayView<float> c)
        => Forward<Rows2>(s, gates, u, bias, biasR, h, c);

    public static void Forward4(Sequence s, ArrayView<float> gates, ArrayView<float> u, ArrayView<float> bias, ArrayView<float> biasR, ArrayView<float> h, ArrayView<float> c)
        => Forward<Rows4>(s, gates, u, bias, biasR, h, c);

    public static void Backward1(Sequence s, ArrayView<float> gates, ArrayView<float> c, ArrayView<float> dh, ArrayView<float> u, ArrayView<float> dgates, ArrayView<float> partial)
        => Backward<Rows1>(s, gates, c, dh, u, dgates, partial);

    public static void Backward2(Sequence s, ArrayView<float> gates, ArrayView<float> c, ArrayView<float> dh, ArrayView<float> u, ArrayView<float> dgates, ArrayView<float> partial)
        => Backward<Rows2>(s, gates, c, dh, u, dgates, partial);

    public static void Backward4(Sequence s, ArrayView<float> gates, ArrayView<float> c, ArrayView<float> dh, ArrayView<float> u, ArrayView<float> dgates, ArrayView<float> partial)
        => Backward<Rows4>(s, gates, c, dh, u, dgates, partial);

    private static void Forward<TRows>(Sequence s, ArrayView<float> gates, ArrayView<float> u, ArrayView<float> bias, ArrayView<float> biasR, ArrayView<float> h, ArrayView<float> c)
        where TRows : struct, RecurrentKernels.IRows
    {
        int rows = default(TRows).Count;
        var hs = SharedMemory.GetDynamic<float>(); // hs[b·H + j] = h_{t−1} of row n0 + b
        int H = s.H, G = 4 * H, j = Group.IdxX, n0 = Grid.IdxX * rows;
        Four b4;
        b4.I = bias[j] + (biasR.Length > 0 ? biasR[j] : 0f);
        b4.F = bias[H + j] + (biasR.Length > 0 ? biasR[H + j] : 0f);
        b4.G = bias[2 * H + j] + (biasR.Length > 0 ? biasR[2 * H + j] : 0f);
        b4.O = bias[3 * H + j] + (biasR.Length > 0 ? biasR[3 * H + j] : 0f);
        float c0 = 0f, c1 = 0f, c2 = 0f, c3 = 0f;
        for (int t = 0; t < s.L; t++)
        {
            Four a0 = Load(s, gates, n0, t, j, b4), a1 = default, a2 = default, a3 = default;
            if (rows > 1) a1 = Load(s, gates, n0 + 1, t, j, b4);
            if (rows > 2) { a2 = Load(s, gates, n0 + 2, t, j, b4); a3 = Load(s, gates, n0 + 3, t, j, b4); }
            if (t > 0) // h_{-1} = 0
                for (int k = 0; k < H; k++)
                {
                    long at = (long)k * G + j;
                    float ui = u[at], uf = u[at + H], ug = u[at + 2 * H], uo = u[at + 3 * H];
                    Fma(ref a0, ui, uf, ug, uo, hs[k]);
                    if (rows > 1) Fma(ref a1, ui, uf, ug, uo, hs[H + k]);
                    if (rows > 2) { Fma(ref a2, ui, uf, ug, uo, hs[2 * H + k]); Fma(ref a3, ui, uf, ug, uo, hs[3 * H + k]); }
                }
            Group.Barrier(); // every read of hs for this step is done
            Step(s, gates, h, c, hs, n0, 0, t, j, a0, ref c0);
            if (rows > 1) Step(s, gates, h, c, hs, n0, 1, t, j, a1, ref c1);
            if (rows > 2) { Step(s, gates, h, c, hs, n0, 2, t, j, a2, ref c2); Step(s, gates, h, c, hs, n0, 3, t, j, a3, ref c3); }
            Group.Barrier();
        }
    }

    /// <summary>x·W + b + c of row n (clamped: a group's spare rows compute on the last row and store nothing).</summary>
    private static Four Load(in Sequence s, ArrayView<float> gates, int n, int t, int j, in Four b4)
    {
        if (n >= s.N) n = s.N - 1;
        long p = ((long)n * s.L + t) * 4 * s.H + j;
        Four a;
        a.I = gates[p] + b4.I;
        a.F = gates[p + s.H] + b4.F;
        a.G = gates[p + 2 * s.H] + b4.G;
        a.O = gates[p + 3 * s.H] + b4.O;
        return a;
    }

    private static void Fma(ref Four a, float ui, float uf, float ug, float uo, float hk)
    {
        a.I += ui * hk;
        a.F += uf * hk;
        a.G += ug * hk;
        a.O += uo * hk;
    }

    private static void Step(in Sequence s, ArrayView<float> gates, ArrayView<float> h, ArrayView<float> c, ArrayView<float> hs,
        int n0, int b, int t, int j, in Four a, ref float cell)
    {
        float i = Sigmoid(a.I), f = Sigmoid(a.F), g = MathF.Tanh(a.G), o = Sigmoid(a.O);
        cell = f * cell + i * g;
        float hv = o * MathF.Tanh(cell);
        hs[b * s.H + j] = hv;
        int n = n0 + b;
        if (n >= s.N) return;
        long row = (long)n * s.L + t, p = row * 4 * s.H + j;
        gates[p] = i;
        gates[p + s.H] = f;
        gates[p + 2 * s.H] = g;
        gates[p + 3 * s.H] = o;
        c[row * s.H + j] = cell;
        h[row * s.H + j] = hv;
    }

    /// <summary>
    /// Backward through time, in reverse, from dh (N, L, H) (the gradient reaching every output state). Writes the
    /// pre-activation gate gradients dgates (N, L, 4H), which are both the input-side and the recurrent-side ones;
    /// the weight and input gradients are GEMMs on them afterwards. dh_{t−1} = dgates_t · Uᵀ goes through shared
    /// memory (thread j reads row j of U, served from L1 across the loop). Each thread also sums its gate gradients
    /// over its rows and steps: partial (groups, 4H), the bias gradient before the sum over groups.
    /// </summary>
    private static void Backward<TRows>(Sequence s, ArrayView<float> gates, ArrayView<float> c, ArrayView<float> dh, ArrayView<float> u, ArrayView<float> dgates, ArrayView<float> partial)
        where TRows : struct, RecurrentKernels.IRows
    {
        int rows = default(TRows).Count;
        var shared = SharedMemory.GetDynamic<float>(); // dhs[b·H + j] (rows·H), then dg[b·4H + m] (rows·4H)
        int H = s.H, G = 4 * H, j = Group.IdxX, n0 = Grid.IdxX * rows, dg = rows * H;
        for (int b = 0; b < rows; b++) shared[b * H + j] = 0f; // only thread j reads or writes slot j
        float d0 = 0f, d1 = 0f, d2 = 0f, d3 = 0f;
        Four sum = default;
        for (int t = s.L - 1; t >= 0; t--)
        {
            BackStep(s, gates, c, dh, dgates, shared, rows, n0, 0, t, j, ref d0, ref sum);
            if (rows > 1) BackStep(s, gates, c, dh, dgates, shared, rows, n0, 1, t, j, ref d1, ref sum);
            if (rows > 2) { BackStep(s, gates, c, dh, dgates, shared, rows, n0, 2, t, j, ref d2, ref sum); BackStep(s, gates, c, dh, dgates, shared, rows, n0, 3, t, j, ref d3, ref sum); }
            Group.Barrier(); // dg of this step is complete
            if (t > 0)
            {
                float p0 = 0f, p1 = 0f, p2 = 0f, p3 = 0f;
                long ur = (long)j * G;
                for (int m = 0; m < G; m++)
                {
                    float w = u[ur + m];
                    p0 += w * shared[dg + m];
                    if (rows > 1) p1 += w * shared[dg + G + m];
                    if (rows > 2) { p2 += w * shared[dg + 2 * G + m]; p3 += w * shared[dg + 3 * G + m]; }
                }
                shared[j] = p0;
                if (rows > 1) shared[H + j] = p1;
                if (rows > 2) { shared[2 * H + j] = p2; shared[3 * H + j] = p3; }
            }
            Group.Barrier(); // every read of dg is done before the next step writes it
        }
        long q = (long)Grid.IdxX * G + j;
        partial[q] = sum.I;
        partial[q + H] = sum.F;
        partial[q + 2 * H] = sum.G;
        partial[q + 3 * H] = sum.O;
    }

    private static void BackStep(in Sequence s, ArrayView<float> gates, ArrayView<float> c, ArrayView<float> dh, ArrayView<float> dgates,
        ArrayView<float> shared, int rows, int n0, int b, int t, int j, ref float dcell, ref Four sum)
    {
        int H = s.H, n = n0 + b;
        bool own = n < s.N;
        if (!own) n = s.N - 1;
        long row = (long)n * s.L + t, p = row * 4 * H + j;
        float i = gates[p], f = gates[p + H], g = gates[p + 2 * H], o = gates[p + 3 * H];
        float cv = c[row * H + j];
        float cprev = t > 0 ? c[(row - 1) * H + j] : 0f;
        float d = dh[row * H + j] + shared[b * H + j];
        float tc = MathF.Tanh(cv);
        float dc = dcell + d * o * (1f - tc * tc);
        float dai = dc * g * i * (1f - i);
        float daf = dc * cprev * f * (1f - f);
        float dag = dc * i * (1f - g * g);
        float dao = d * tc * o * (1f - o);
        dcell = dc * f;
        int q = rows * H + b * 4 * H + j;
        shared[q] = dai;
        shared[q + H] = daf;
        shared[q + 2 * H] = dag;
        shared[q + 3 * H] = dao;
        if (!own) return;
        dgates[p] = dai;
        dgates[p + H] = daf;
        dgates[p + 2 * H] = dag;
        dgates[p + 3 * H] = dao;
        sum.I += dai;
        sum.F += daf;
        sum.G += dag;
        sum.O += dao;
    }

    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    /// <summary>The family's kernels loaded on one accelerator, one per rows-per-group count.</summary>
    public sealed class Loaded : IKernelFamily<Loaded>
    {
        private readonly Action<AcceleratorStream, KernelConfig, Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>[] _forward = new Action<AcceleratorStream, KernelConfig, Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>[3];
        private readonly Action<AcceleratorStream, KernelConfig, Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>[] _backward = new Action<AcceleratorStream, KernelConfig, Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>[3];

        public static Loaded Load(IlgpuAccelerator accelerator)
        {
            var l = new Loaded();
            var native = accelerator.Native;
            l._forward[0] = native.LoadKernel<Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Forward1);
            l._forward[1] = native.LoadKernel<Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Forward2);
            l._forward[2] = native.LoadKernel<Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Forward4);
            l._backward[0] = native.LoadKernel<Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Backward1);
            l._backward[1] = native.LoadKernel<Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Backward2);
            l._backward[2] = native.LoadKernel<Sequence, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Backward4);
            return l;
        }

        public void Forward(IlgpuAccelerator device, int rows, Sequence s, ArrayView<float> gates, ArrayView<float> u, ArrayView<float> bias, ArrayView<float> biasR, ArrayView<float> h, ArrayView<float> c)
            => _forward[Recurrent.RowsSlot(rows)](device.Stream, Recurrent.SequenceConfig(device, "lstm.forward", s, rows, rows * s.H), s, gates, u, bias, biasR, h, c);

        public void Backward(IlgpuAccelerator device, int rows, Sequence s, ArrayView<float> gates, ArrayView<float> c, ArrayView<float> dh, ArrayView<float> u, ArrayView<float> dgates, ArrayView<float> partial)
            => _backward[Recurrent.RowsSlot(rows)](device.Stream, Recurrent.SequenceConfig(device, "lstm.backward", s, rows, rows * 5 * s.H), s, gates, c, dh, u, dgates, partial);
    }
}
