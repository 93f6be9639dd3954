using System.Buffers;
using EcgGpu.Kernels.Elementwise;
using EcgGpu.Kernels.Gemm;

namespace EcgGpu.Kernels.Conv1d;

/// <summary>
/// CPU conv1d through im2col and the blocked GEMM, one sample per task. The weight gradient sums
/// per-chunk partials in a fixed order, so results do not depend on thread scheduling.
/// </summary>
public static class Conv1dCpu
{
    private static readonly ParallelOptions Serial = new() { MaxDegreeOfParallelism = 1 };

    public static void Forward(Conv1dShape s, float[] x, float[] w, float[]? bias, float[] y, ParallelOptions parallel)
    {
        int ck = s.Cin * s.K;
        Parallel.For(0, s.N, parallel, () => ArrayPool<float>.Shared.Rent(ck * s.Lout), (n, _, col) =>
        {
            Im2Col(s, x.AsSpan(n * s.Cin * s.Lin, s.Cin * s.Lin), col);
            var yn = y.AsSpan(n * s.Cout * s.Lout, s.Cout * s.Lout);
            GemmCpu.Gemm(false, false, s.Cout, s.Lout, ck, 1f, w, ck, col, s.Lout, 0f, yn, s.Lout, Serial);
            if (bias is not null) ElementwiseCpu.BiasAdd(1, s.Cout, s.Lout, yn, bias);
            return col;
        }, col => ArrayPool<float>.Shared.Return(col));
    }

    public static void BackwardInput(Conv1dShape s, float[] dy, float[] w, float[] dx, ParallelOptions parallel)
    {
        int ck = s.Cin * s.K;
        Parallel.For(0, s.N, parallel, () => ArrayPool<float>.Shared.Rent(ck * s.Lout), (n, _, dcol) =>
        {
            GemmCpu.Gemm(true, false, ck, s.Lout, s.Cout, 1f, w, ck, dy.AsSpan(n * s.Cout * s.Lout), s.Lout, 0f, dcol, s.Lout, Serial);
            Col2Im(s, dcol, dx.AsSpan(n * s.Cin * s.Lin, s.Cin * s.Lin));
            return dcol;
        }, dcol => ArrayPool<float>.Shared.Return(dcol));
    }

    public static void BackwardWeight(Conv1dShape s, float[] x, float[] dy, float[] dw, ParallelOptions parallel)
    {
        int ck = s.Cin * s.K;
        int chunks = Math.Min(s.N, Math.Max(1, parallel.MaxDegreeOfParallelism > 0 ? parallel.MaxDegreeOfParallelism : Environment.ProcessorCount));
        var partials = new float[chunks][];
        Parallel.For(0, chunks, parallel, c =>
        {
            var part = ArrayPool<float>.Shared.Rent(s.Cout * ck);
            Array.Clear(part, 0, s.Cout * ck);
            var col = ArrayPool<float>.Shared.Rent(ck * s.Lout);
            for (int n = c * s.N / chunks; n < (c + 1) * s.N / chunks; n++)
            {
                Im2Col(s, x.AsSpan(n * s.Cin * s.Lin, s.Cin * s.Lin), col);
                GemmCpu.Gemm(false, true, s.Cout, ck, s.Lout, 1f, dy.AsSpan(n * s.Cout * s.Lout), s.Lout, col, s.Lout, 1f, part, ck, Serial);
            }
            ArrayPool<float>.Shared.Return(col);
            partials[c] = part;
        });
        var target = dw.AsSpan(0, s.Cout * ck);
        partials[0].AsSpan(0, target.Length).CopyTo(target);
        for (int c = 1; c < chunks; c++) ElementwiseCpu.Add(target, partials[c].AsSpan(0, target.Length), target);
        foreach (var part in partials) ArrayPool<float>.Shared.Return(part);
    }

    /// <summary>col[ci·K + k, l] = x[ci, l + k − pad], zero outside the signal.</summary>
    private static void Im2Col(Conv1dShape s, ReadOnlySpan<float> x, Span<float> col)
    {
        for (int ci = 0; ci < s.Cin; ci++)
        {
            var xr = x.Slice(ci * s.Lin, s.Lin);
            for (int k = 0; k < s.K; k++)
            {
                var row = col.Slice((ci * s.K + k) * s.Lout, s.Lout);
                int lo = Math.Max(0, s.Pad - k), hi = Math.Min(s.Lout, s.Lin + s.Pad - k);
                row[..Math.Max(0, Math.Min(lo, s.Lout))].Clear();
                if (hi > lo) xr.Slice(lo + k - s.Pad, hi - lo).CopyTo(row[lo..]);
                if (hi < s.Lout) row[Math.Max(hi, 0)..].Clear();
            }
        }
    }

    private static void Col2Im(Conv1dShape s, ReadOnlySpan<float> dcol, Span<float> dx)
    {
        dx.Clear();
        for (int ci = 0; ci < s.Cin; ci++)
        {
            var dxr = dx.Slice(ci * s.Lin, s.Lin);
            for (int k = 0; k < s.K; k++)
            {
                var row = dcol.Slice((ci * s.K + k) * s.Lout, s.Lout);
                int lo = Math.Max(0, s.Pad - k), hi = Math.Min(s.Lout, s.Lin + s.Pad - k);
                if (hi > lo) ElementwiseCpu.Add(dxr.Slice(lo + k - s.Pad, hi - lo), row[lo..hi], dxr.Slice(lo + k - s.Pad, hi - lo));
            }
        }
    }
}
