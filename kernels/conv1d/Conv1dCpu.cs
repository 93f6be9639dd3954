using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace EcgGpu.Kernels;

/// <summary>
/// CPU conv1d as a direct convolution: no im2col. The forward pass and the input gradient are the same
/// "implicit GEMM" — a 4-channel × 24-position register tile whose left operand is read in place from the
/// weight rows and whose right operand is read straight from a zero-padded copy of the signal, shifted by
/// the kernel tap — because the input gradient is a convolution of dy with the flipped, transposed weights. One sample per task; one sample alone runs
/// serially, which is what single-beat latency wants.
/// The weight gradient reduces over (sample, position) with a 4 × 3 (out × in channel) vector tile per
/// tap, per chunk of samples sized by the shape alone, so results do not depend on the thread count.
/// </summary>
public static unsafe class Conv1dCpu
{
    private const int MR = 4;         // output channels per tile
    private const int NR = 24;        // positions per tile: three Vector256
    private const int WR = 4;         // weight-gradient tile: output channels …
    private const int WC = 3;         // … by input channels

    public static void Forward(Conv1dShape s, float[] x, float[] w, float[]? bias, float[] y, ParallelOptions parallel)
    {
        // w (Cout, Cin·K) is already the row-major left operand: no packing, nothing to do per call.
        Direct(s.N, s.Cin, s.Lin, s.Cout, s.Lout, s.K, s.Pad, x, w, bias, y, parallel);
    }

    /// <summary>dx[ci, j] = Σ_co,k' w[co, ci, K−1−k'] · dy[co, j + k' − (K−1−pad)]: a convolution of dy.</summary>
    public static void BackwardInput(Conv1dShape s, float[] dy, float[] w, float[] dx, ParallelOptions parallel)
    {
        int kk = s.Cout * s.K, k1 = s.K - 1;
        var flipped = ArrayPool<float>.Shared.Rent(s.Cin * kk);
        try
        {
            // flipped[ci, co·K + k'] = w[co, ci, K−1−k']: the transposed, reversed weights as a row-major (Cin, Cout·K) operand.
            for (int co = 0; co < s.Cout; co++)
                for (int ci = 0; ci < s.Cin; ci++)
                    for (int t = 0; t < s.K; t++)
                        flipped[ci * kk + co * s.K + k1 - t] = w[(co * s.Cin + ci) * s.K + t];
            Direct(s.N, s.Cout, s.Lout, s.Cin, s.Lin, s.K, k1 - s.Pad, dy, flipped, null, dx, parallel);
        }
        finally { ArrayPool<float>.Shared.Return(flipped); }
    }

    /// <summary>dw, and db when given (Σ of dy over samples and positions), both overwritten.</summary>
    public static void BackwardWeight(Conv1dShape s, float[] x, float[] dy, float[] dw, float[]? db, ParallelOptions parallel)
    {
        int lv = RoundUp(s.Lout, 8);
        int lxp = lv + s.K - 1;
        // Samples per task: their padded rows (~192 KB) stay in L2 while every tile of dw passes over them.
        // The split depends only on the shape, and partial sums add up in chunk order: deterministic.
        int perChunk = Math.Clamp(Math.Max(MinSamplesPerChunk, 49152 / ((s.Cin + s.Cout) * lv)), 1, s.N);
        int chunks = (s.N + perChunk - 1) / perChunk;
        int wl = (int)s.WeightLength;
        int pl = wl + s.Cout;                     // a chunk's partial dw, then its partial db
        int scratch = perChunk * (s.Cin * lxp + s.Cout * lv);
        var partials = ArrayPool<float>.Shared.Rent(chunks * pl);
        try
        {
            Parallel.For(0, chunks, parallel, () => ArrayPool<float>.Shared.Rent(scratch), (chunk, _, pad) =>
            {
                int n0 = chunk * perChunk, count = Math.Min(perChunk, s.N - n0);
                var xp = pad.AsSpan(0, count * s.Cin * lxp);
                var dyp = pad.AsSpan(perChunk * s.Cin * lxp, count * s.Cout * lv);
                for (int i = 0; i < count; i++)
                {
                    for (int ci = 0; ci < s.Cin; ci++)
                        PadRow(x.AsSpan(((n0 + i) * s.Cin + ci) * s.Lin, s.Lin), s.Pad, xp.Slice((i * s.Cin + ci) * lxp, lxp));
                    for (int co = 0; co < s.Cout; co++)
                        PadRow(dy.AsSpan(((n0 + i) * s.Cout + co) * s.Lout, s.Lout), 0, dyp.Slice((i * s.Cout + co) * lv, lv));
                }
                fixed (float* px = xp) fixed (float* pdy = dyp) fixed (float* pw = &partials[chunk * pl])
                    for (int o0 = 0; o0 < s.Cout; o0 += WR)
                        for (int c0 = 0; c0 < s.Cin; c0 += WC)
                            WeightTile(s, count, o0, c0, lv, lxp, px, pdy, pw);
                if (db is not null)
                    for (int co = 0; co < s.Cout; co++)
                    {
                        float sum = 0f;
                        for (int i = 0; i < count; i++) sum += TensorPrimitives.Sum(dyp.Slice((i * s.Cout + co) * lv, lv));
                        partials[chunk * pl + wl + co] = sum;
                    }
                return pad;
            }, pad => ArrayPool<float>.Shared.Return(pad));
            Reduce(partials, chunks, pl, 0, dw.AsSpan(0, wl));
            if (db is not null) Reduce(partials, chunks, pl, wl, db.AsSpan(0, s.Cout));
        }
        finally { ArrayPool<float>.Shared.Return(partials); }
    }

    /// <summary>target = Σ over chunks, in chunk order, of the part at offset in each chunk's partials.</summary>
    private static void Reduce(float[] partials, int chunks, int stride, int offset, Span<float> target)
    {
        partials.AsSpan(offset, target.Length).CopyTo(target);
        for (int c = 1; c < chunks; c++) TensorPrimitives.Add(target, partials.AsSpan(c * stride + offset, target.Length), target);
    }

    /// <summary>
    /// Fewest samples a weight-gradient chunk sums before its horizontal sums: short rows (cnn's 92 steps)
    /// otherwise spend a quarter of the time in them and in adding up per-chunk partials (measured +30 %).
    /// </summary>
    private const int MinSamplesPerChunk = 4;

    private static int Strips(int rows) => (rows + MR - 1) / MR;
    private static int RoundUp(int v, int m) => (v + m - 1) / m * m;

    /// <summary>dst[j] = src[j − pad], zero outside src.</summary>
    private static void PadRow(ReadOnlySpan<float> src, int pad, Span<float> dst)
    {
        int from = Math.Max(0, -pad), to = Math.Min(src.Length, dst.Length - pad);
        if (to <= from) { dst.Clear(); return; }
        dst[..(from + pad)].Clear();
        src[from..to].CopyTo(dst[(from + pad)..]);
        dst[(to + pad)..].Clear();
    }

    /// <summary>y[n, o, l] = bias[o] + Σ_c,k A[o, c·K + k] · x[n, c, l + k − pad] for l &lt; lOut, x zero outside [0, lIn).</summary>
    private static void Direct(int n, int cIn, int lIn, int cOut, int lOut, int k, int pad,
        float[] x, float[] a, float[]? bias, float[] y, ParallelOptions parallel)
    {
        int lp = RoundUp(lOut, NR) + k - 1;
        int kk = cIn * k;
        fixed (float* px = x) fixed (float* pa = a) fixed (float* py = y) fixed (float* pb = bias)
        {
            nint xPtr = (nint)px, aPtr = (nint)pa, yPtr = (nint)py, bPtr = (nint)pb;
            void Pad(int i, float* xp)
            {
                for (int c = 0; c < cIn; c++)
                    PadRow(new ReadOnlySpan<float>((float*)xPtr + ((long)i * cIn + c) * lIn, lIn), pad, new Span<float>(xp + (long)c * lp, lp));
            }
            void Strip(int i, float* xp, int strip)
            {
                int o0 = strip * MR, mr = Math.Min(MR, cOut - o0);
                float* rows = (float*)aPtr + (long)o0 * kk;
                float* b = bPtr == 0 ? null : (float*)bPtr + o0;
                float* yi = (float*)yPtr + ((long)i * cOut + o0) * lOut;
                for (int l0 = 0; l0 < lOut; l0 += NR)
                    Micro(cIn, k, lp, xp + l0, rows, kk, b, yi + l0, lOut, mr, Math.Min(NR, lOut - l0));
            }
            int scratch = cIn * lp, strips = Strips(cOut);
            int threads = parallel.MaxDegreeOfParallelism > 0 ? parallel.MaxDegreeOfParallelism : Environment.ProcessorCount;
            long work = (long)n * cOut * lOut * kk;
            if (n >= threads && work >= ParallelWork)
            {
                Parallel.For(0, n, parallel, () => ArrayPool<float>.Shared.Rent(scratch), (i, _, xp) =>
                {
                    fixed (float* p = xp)
                    {
                        Pad(i, p);
                        for (int strip = 0; strip < strips; strip++) Strip(i, p, strip);
                    }
                    return xp;
                }, xp => ArrayPool<float>.Shared.Return(xp));
                return;
            }
            // Fewer samples than threads (single-beat inference): the samples' output-channel strips share the threads.
            var padded = ArrayPool<float>.Shared.Rent(n * scratch);
            try
            {
                fixed (float* pp = padded)
                {
                    nint paddedPtr = (nint)pp;
                    for (int i = 0; i < n; i++) Pad(i, pp + (long)i * scratch);
                    if (work < ParallelWork || threads == 1)
                        for (int t = 0; t < n * strips; t++) Strip(t / strips, pp + (long)(t / strips) * scratch, t % strips);
                    else
                        Parallel.For(0, n * strips, parallel, t => Strip(t / strips, (float*)paddedPtr + (long)(t / strips) * scratch, t % strips));
                }
            }
            finally { ArrayPool<float>.Shared.Return(padded); }
        }
    }

    /// <summary>Multiply-adds below which a convolution runs on one thread: a dispatch costs microseconds.</summary>
    private const long ParallelWork = 1 << 18;

    /// <summary>
    /// An MR × NR tile: MR rows of A (row stride lda, read in place; rows past the edge re-read the last one and
    /// are not stored) against the padded rows of x shifted by each tap.
    /// </summary>
    private static void Micro(int cIn, int k, int lp, float* x, float* a, int lda, float* bias, float* y, int ldy, int mr, int nr)
    {
        float* a0 = a, a1 = a + Math.Min(1, mr - 1) * lda, a2 = a + Math.Min(2, mr - 1) * lda, a3 = a + Math.Min(3, mr - 1) * lda;
        Vector256<float> c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32;
        if (bias is null)
        {
            c00 = c01 = c02 = c10 = c11 = c12 = c20 = c21 = c22 = c30 = c31 = c32 = Vector256<float>.Zero;
        }
        else
        {
            c00 = c01 = c02 = Vector256.Create(bias[0]);
            c10 = c11 = c12 = Vector256.Create(mr > 1 ? bias[1] : 0f);
            c20 = c21 = c22 = Vector256.Create(mr > 2 ? bias[2] : 0f);
            c30 = c31 = c32 = Vector256.Create(mr > 3 ? bias[3] : 0f);
        }
        for (int c = 0; c < cIn; c++, x += lp)
        {
            float* xr = x;
            for (int t = 0; t < k; t++, xr++, a0++, a1++, a2++, a3++)
            {
                var b0 = Vector256.Load(xr);
                var b1 = Vector256.Load(xr + 8);
                var b2 = Vector256.Load(xr + 16);
                var av = Vector256.Create(*a0);
                c00 = Vector256.FusedMultiplyAdd(av, b0, c00); c01 = Vector256.FusedMultiplyAdd(av, b1, c01); c02 = Vector256.FusedMultiplyAdd(av, b2, c02);
                av = Vector256.Create(*a1);
                c10 = Vector256.FusedMultiplyAdd(av, b0, c10); c11 = Vector256.FusedMultiplyAdd(av, b1, c11); c12 = Vector256.FusedMultiplyAdd(av, b2, c12);
                av = Vector256.Create(*a2);
                c20 = Vector256.FusedMultiplyAdd(av, b0, c20); c21 = Vector256.FusedMultiplyAdd(av, b1, c21); c22 = Vector256.FusedMultiplyAdd(av, b2, c22);
                av = Vector256.Create(*a3);
                c30 = Vector256.FusedMultiplyAdd(av, b0, c30); c31 = Vector256.FusedMultiplyAdd(av, b1, c31); c32 = Vector256.FusedMultiplyAdd(av, b2, c32);
            }
        }
        if (mr == MR && nr == NR)
        {
            c00.Store(y); c01.Store(y + 8); c02.Store(y + 16); y += ldy;
            c10.Store(y); c11.Store(y + 8); c12.Store(y + 16); y += ldy;
            c20.Store(y); c21.Store(y + 8); c22.Store(y + 16); y += ldy;
            c30.Store(y); c31.Store(y + 8); c32.Store(y + 16);
            return;
        }
        float* tile = stackalloc float[MR * NR];
        c00.Store(tile); c01.Store(tile + 8); c02.Store(tile + 16);
        c10.Store(tile + NR); c11.Store(tile + NR + 8); c12.Store(tile + NR + 16);
        c20.Store(tile + 2 * NR); c21.Store(tile + 2 * NR + 8); c22.Store(tile + 2 * NR + 16);
        c30.Store(tile + 3 * NR); c31.Store(tile + 3 * NR + 8); c32.Store(tile + 3 * NR + 16);
        for (int r = 0; r < mr; r++)
            new ReadOnlySpan<float>(tile + r * NR, nr).CopyTo(new Span<float>(y + (long)r * ldy, nr));
    }

    /// <summary>dw[o, c, t] for WR output × WC input channels and every tap, summed over the chunk's samples and positions.</summary>
    private static void WeightTile(Conv1dShape s, int samples, int o0, int c0, int lv, int lxp, float* xp, float* dyp, float* dw)
    {
        int mo = Math.Min(WR, s.Cout - o0), mc = Math.Min(WC, s.Cin - c0);
        // Rows past the edge read the last valid row again; their sums are not stored.
        int o1 = Math.Min(1, mo - 1), o2 = Math.Min(2, mo - 1), o3 = Math.Min(3, mo - 1);
        int i1 = Math.Min(1, mc - 1), i2 = Math.Min(2, mc - 1);
        Span<float> sums = stackalloc float[WR * WC];
        for (int t = 0; t < s.K; t++)
        {
            Vector256<float> s00 = default, s01 = default, s02 = default, s10 = default, s11 = default, s12 = default,
                s20 = default, s21 = default, s22 = default, s30 = default, s31 = default, s32 = default;
            for (int n = 0; n < samples; n++)
            {
                float* d = dyp + ((long)n * s.Cout + o0) * lv;
                float* d0 = d, d1 = d + o1 * lv, d2 = d + o2 * lv, d3 = d + o3 * lv;
                float* xr = xp + ((long)n * s.Cin + c0) * lxp + t;
                float* x0 = xr, x1 = xr + i1 * lxp, x2 = xr + i2 * lxp;
                for (int l = 0; l < lv; l += 8)
                {
                    var a0 = Vector256.Load(x0 + l);
                    var a1 = Vector256.Load(x1 + l);
                    var a2 = Vector256.Load(x2 + l);
                    var g = Vector256.Load(d0 + l);
                    s00 = Vector256.FusedMultiplyAdd(g, a0, s00); s01 = Vector256.FusedMultiplyAdd(g, a1, s01); s02 = Vector256.FusedMultiplyAdd(g, a2, s02);
                    g = Vector256.Load(d1 + l);
                    s10 = Vector256.FusedMultiplyAdd(g, a0, s10); s11 = Vector256.FusedMultiplyAdd(g, a1, s11); s12 = Vector256.FusedMultiplyAdd(g, a2, s12);
                    g = Vector256.Load(d2 + l);
                    s20 = Vector256.FusedMultiplyAdd(g, a0, s20); s21 = Vector256.FusedMultiplyAdd(g, a1, s21); s22 = Vector256.FusedMultiplyAdd(g, a2, s22);
                    g = Vector256.Load(d3 + l);
                    s30 = Vector256.FusedMultiplyAdd(g, a0, s30); s31 = Vector256.FusedMultiplyAdd(g, a1, s31); s32 = Vector256.FusedMultiplyAdd(g, a2, s32);
                }
            }
            sums[0] = Vector256.Sum(s00); sums[1] = Vector256.Sum(s01); sums[2] = Vector256.Sum(s02);
            sums[3] = Vector256.Sum(s10); sums[4] = Vector256.Sum(s11); sums[5] = Vector256.Sum(s12);
            sums[6] = Vector256.Sum(s20); sums[7] = Vector256.Sum(s21); sums[8] = Vector256.Sum(s22);
            sums[9] = Vector256.Sum(s30); sums[10] = Vector256.Sum(s31); sums[11] = Vector256.Sum(s32);
            for (int r = 0; r < mo; r++)
                for (int c = 0; c < mc; c++)
                    dw[((long)(o0 + r) * s.Cin + c0 + c) * s.K + t] = sums[r * WC + c];
        }
    }
}
