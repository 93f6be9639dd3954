using EcgGpu.Runtime.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace EcgGpu.Kernels;

/// <summary>
/// ILGPU device code for the stride-1 conv1d over (N, C, L) tensors with weights (Cout, Cin, K): forward, input
/// gradient (one correlation kernel), weight gradient and bias gradient.
/// </summary>
/// <remarks>
/// Every kernel flattens its tiles into grid X (capped, the groups loop over the rest), so no shape reaches the
/// 65,535 limit of grid Y and Z: the batch only multiplies the number of tiles.
/// </remarks>
public static class Conv1dKernels
{
    public const int Threads = 256;

    // Correlation: a group computes TileO output channels × TileL positions of one sample; thread (tx, ty) holds
    // positions l0 + tx of channels o0 + ty + 4·r. Per step it stages ChunkA input channels × (TileL + ChunkK − 1)
    // positions (the strip plus its halo) and the TileO × ChunkA × ChunkK slab of weights.
    public const int TileL = 64, TileO = 16, ChunkA = 8, ChunkK = 8;
    private const int Strip = TileL + ChunkK - 1, RowStep = Threads / TileL;

    // Weight gradient as a product dw[co, (ci, k)] = Σ_j dy[co, j]·x̂[(ci, k), j] over j = (n, l): a group computes a
    // TileW × TileW block of it, each thread 2 × 2, staging TileJ steps of both operands per round.
    public const int TileW = 32, TileJ = 32;
    private const int RowW = TileW + 1; // padded so that the transposed stores hit distinct banks

    /// <summary>
    /// out[n, o, l] = bias[o] + Σ_a Σ_k W(o, a, k)·in[n, a, l + k − Pad] with W(o, a, k) = w[o·WStrideO + a·WStrideA +
    /// (Flip ? K − 1 − k : k)]. The forward pass is (a = ci, o = co); the input gradient is (a = co, o = ci) with the
    /// taps flipped and Pad = K − 1 − pad.
    /// </summary>
    public struct Correlation
    {
        public int N, A, La, O, Lo, K, Pad, WStrideO, WStrideA, Flip;
    }

    /// <summary>The conv1d shape as the gradient kernels see it.</summary>
    public struct Shape
    {
        public int N, Cin, Lin, Cout, K, Pad, Lout;
    }

    public static void Correlate(Correlation s, ArrayView<float> input, ArrayView<float> w, ArrayView<float> bias, ArrayView<float> output)
    {
        var strip = SharedMemory.Allocate<float>(ChunkA * Strip);          // strip[a * Strip + p]
        var slab = SharedMemory.Allocate<float>(TileO * ChunkA * ChunkK);  // slab[(o * ChunkA + a) * ChunkK + k]
        int tid = Group.IdxX, tx = tid % TileL, ty = tid / TileL;
        int lTiles = (s.Lo + TileL - 1) / TileL, oTiles = (s.O + TileO - 1) / TileO;
        long tiles = (long)s.N * oTiles * lTiles;
        for (long t = Grid.IdxX; t < tiles; t += Grid.DimX)
        {
            int lt = (int)(t % lTiles), ot = (int)(t / lTiles % oTiles), n = (int)(t / lTiles / oTiles);
            int l0 = lt * TileL, o0 = ot * TileO;
            float acc0 = 0f, acc1 = 0f, acc2 = 0f, acc3 = 0f;
            for (int a0 = 0; a0 < s.A; a0 += ChunkA)
            {
                int ac = Math.Min(ChunkA, s.A - a0);
                for (int k0 = 0; k0 < s.K; k0 += ChunkK)
                {
                    int kc = Math.Min(ChunkK, s.K - k0), width = TileL + kc - 1;
                    for (int e = tid; e < ChunkA * Strip; e += Threads)
                    {
                        int a = e / Strip, p = e - a * Strip, src = l0 + k0 - s.Pad + p;
                        float v = 0f; // zero padding and the halo past either end
                        if (a < ac && p < width && src >= 0 && src < s.La) v = input[((long)n * s.A + a0 + a) * s.La + src];
                        strip[e] = v;
                    }
                    for (int e = tid; e < TileO * ChunkA * ChunkK; e += Threads)
                    {
                        int k = e % ChunkK, a = e / ChunkK % ChunkA, o = e / (ChunkK * ChunkA);
                        float v = 0f;
                        if (o0 + o < s.O && a < ac && k < kc)
                        {
                            int kk = s.Flip != 0 ? s.K - 1 - (k0 + k) : k0 + k;
                            v = w[(long)(o0 + o) * s.WStrideO + (long)(a0 + a) * s.WStrideA + kk];
                        }
                        slab[e] = v;
                    }
                    Group.Barrier();
                    for (int a = 0; a < ac; a++)
                        for (int k = 0; k < kc; k++)
                        {
                            float xv = strip[a * Strip + tx + k];
                            int at = a * ChunkK + k;
                            acc0 += slab[ty * (ChunkA * ChunkK) + at] * xv;
                            acc1 += slab[(ty + RowStep) * (ChunkA * ChunkK) + at] * xv;
                            acc2 += slab[(ty + 2 * RowStep) * (ChunkA * ChunkK) + at] * xv;
                            acc3 += slab[(ty + 3 * RowStep) * (ChunkA * ChunkK) + at] * xv;
                        }
                    Group.Barrier();
                }
            }
            int l = l0 + tx;
            Store(s, bias, output, n, o0 + ty, l, acc0);
            Store(s, bias, output, n, o0 + ty + RowStep, l, acc1);
            Store(s, bias, output, n, o0 + ty + 2 * RowStep, l, acc2);
            Store(s, bias, output, n, o0 + ty + 3 * RowStep, l, acc3);
        }
    }

    private static void Store(in Correlation s, ArrayView<float> bias, ArrayView<float> output, int n, int o, int l, float acc)
    {
        if (o >= s.O || l >= s.Lo) return;
        output[((long)n * s.O + o) * s.Lo + l] = bias.Length > 0 ? acc + bias[o] : acc;
    }

    /// <summary>dw[co, ci, k] = Σ_n Σ_l dy[n, co, l]·x[n, ci, l + k − pad] (overwritten; a fixed summation order).</summary>
    public static void WeightGrad(Shape s, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw)
    {
        var tdy = SharedMemory.Allocate<float>(TileJ * RowW); // tdy[j * RowW + co]
        var tx_ = SharedMemory.Allocate<float>(TileJ * RowW); // tx_[j * RowW + c], c = (ci, k)
        int tid = Group.IdxX, tx = tid % 16, ty = tid / 16;
        int cols = s.Cin * s.K;
        int rowTiles = (s.Cout + TileW - 1) / TileW, colTiles = (cols + TileW - 1) / TileW;
        long total = (long)s.N * s.Lout;
        for (int t = Grid.IdxX; t < rowTiles * colTiles; t += Grid.DimX)
        {
            int co0 = t / colTiles * TileW, c0 = t % colTiles * TileW;
            float a00 = 0f, a01 = 0f, a10 = 0f, a11 = 0f;
            for (long j0 = 0; j0 < total; j0 += TileJ)
            {
                // j runs fastest across threads: neighbouring threads read neighbouring positions of a row.
                for (int e = tid; e < TileJ * TileW; e += Threads)
                {
                    int j = e % TileJ, r = e / TileJ;
                    long jj = j0 + j;
                    float vdy = 0f, vx = 0f;
                    if (jj < total)
                    {
                        int n = (int)(jj / s.Lout), l = (int)(jj - (long)n * s.Lout);
                        if (co0 + r < s.Cout) vdy = dy[((long)n * s.Cout + co0 + r) * s.Lout + l];
                        int c = c0 + r;
                        if (c < cols)
                        {
                            int ci = c / s.K, src = l + c - ci * s.K - s.Pad;
                            if (src >= 0 && src < s.Lin) vx = x[((long)n * s.Cin + ci) * s.Lin + src];
                        }
                    }
                    tdy[j * RowW + r] = vdy;
                    tx_[j * RowW + r] = vx;
                }
                Group.Barrier();
                for (int j = 0; j < TileJ; j++)
                {
                    float d0 = tdy[j * RowW + ty], d1 = tdy[j * RowW + ty + 16];
                    float x0 = tx_[j * RowW + tx], x1 = tx_[j * RowW + tx + 16];
                    a00 += d0 * x0;
                    a01 += d0 * x1;
                    a10 += d1 * x0;
                    a11 += d1 * x1;
                }
                Group.Barrier();
            }
            StoreW(s, dw, cols, co0 + ty, c0 + tx, a00);
            StoreW(s, dw, cols, co0 + ty, c0 + tx + 16, a01);
            StoreW(s, dw, cols, co0 + ty + 16, c0 + tx, a10);
            StoreW(s, dw, cols, co0 + ty + 16, c0 + tx + 16, a11);
        }
    }

    private static void StoreW(in Shape s, ArrayView<float> dw, int cols, int co, int c, float v)
    {
        if (co < s.Cout && c < cols) dw[(long)co * cols + c] = v; // dw is (Cout, Cin·K) row-major
    }

    /// <summary>The family's kernels loaded on one accelerator.</summary>
    public sealed class Loaded : IKernelFamily<Loaded>
    {
        private Action<AcceleratorStream, KernelConfig, Correlation, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> _correlate = null!;
        private Action<AcceleratorStream, KernelConfig, Shape, ArrayView<float>, ArrayView<float>, ArrayView<float>> _weightGrad = null!;

        public static Loaded Load(IlgpuAccelerator accelerator) => new()
        {
            _correlate = accelerator.Native.LoadKernel<Correlation, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Correlate),
            _weightGrad = accelerator.Native.LoadKernel<Shape, ArrayView<float>, ArrayView<float>, ArrayView<float>>(WeightGrad),
        };

        public void RunCorrelate(IlgpuAccelerator device, string name, in Correlation s, ArrayView<float> input, ArrayView<float> w, ArrayView<float> bias, ArrayView<float> output)
        {
            long tiles = (long)s.N * ((s.O + TileO - 1) / TileO) * ((s.Lo + TileL - 1) / TileL);
            _correlate(device.Stream, device.Config(name, new Index3D(GridSize.WaveGroups(device, tiles, Threads), 1, 1), new Index3D(Threads, 1, 1)), s, input, w, bias, output);
        }

        public void RunWeightGrad(IlgpuAccelerator device, in Shape s, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw)
        {
            long tiles = (long)((s.Cout + TileW - 1) / TileW) * ((s.Cin * s.K + TileW - 1) / TileW);
            _weightGrad(device.Stream, device.Config("conv1d.weight_grad", new Index3D(GridSize.WaveGroups(device, tiles, Threads), 1, 1), new Index3D(Threads, 1, 1)), s, x, dy, dw);
        }
    }
}
