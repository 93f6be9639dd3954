using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EcgGpu.Kernels;

/// <summary>CPU pooling; rows are independent and run in parallel.</summary>
public static class PoolCpu
{
    /// <summary>
    /// Rows in parallel; within a row eight windows at a time. The row is first split into its stride
    /// phases (phase p holds x[s·j + p]), so tap t = s·q + p of windows j … j+7 is one contiguous load at
    /// phase p, offset j + q. Taps run in order with a strict comparison: the first maximum wins, as on devices.
    /// </summary>
    public static unsafe void MaxForward(int rows, int lin, int k, int s, int lout, float[] x, float[] y, int[] argmax, ParallelOptions parallel)
    {
        const int RowsPerTask = 16;
        int phaseLength = (lin + s - 1) / s;
        if ((long)rows * lin <= 1 << 15)
        {
            // A single beat's feature maps: a parallel dispatch would cost more than the pooling.
            var buffer = new float[s * phaseLength];
            fixed (float* xr = x) fixed (float* ph = buffer) fixed (float* yr = y) fixed (int* ar = argmax)
                for (int r = 0; r < rows; r++) MaxRow(xr + (long)r * lin, lin, k, s, lout, ph, phaseLength, yr + (long)r * lout, ar + (long)r * lout);
            return;
        }
        Parallel.For(0, (rows + RowsPerTask - 1) / RowsPerTask, parallel, () => new float[s * phaseLength], (task, _, phases) =>
        {
            for (int r = task * RowsPerTask; r < Math.Min(rows, (task + 1) * RowsPerTask); r++)
                fixed (float* xr = &x[r * lin]) fixed (float* ph = phases) fixed (float* yr = &y[r * lout]) fixed (int* ar = &argmax[r * lout])
                    MaxRow(xr, lin, k, s, lout, ph, phaseLength, yr, ar);
            return phases;
        }, _ => { });
    }

    private static unsafe void MaxRow(float* x, int lin, int k, int s, int lout, float* phases, int phaseLength, float* y, int* argmax)
    {
        int j = 0;
        if (Vector256.IsHardwareAccelerated && lout >= 8)
        {
            float* src = x;
            if (s == 2 && Avx2.IsSupported)
            {
                // Even and odd samples of 16 at a time: shufflePS pairs them within 128-bit halves, permute4x64 orders the halves.
                float* even = phases, odd = phases + phaseLength;
                int i = 0;
                for (; i + 16 <= lin; i += 16)
                {
                    var v0 = Avx.LoadVector256(x + i);
                    var v1 = Avx.LoadVector256(x + i + 8);
                    Avx2.Permute4x64(Avx.Shuffle(v0, v1, 0x88).AsDouble(), 0xD8).AsSingle().Store(even + i / 2);
                    Avx2.Permute4x64(Avx.Shuffle(v0, v1, 0xDD).AsDouble(), 0xD8).AsSingle().Store(odd + i / 2);
                }
                for (; i < lin; i++) phases[(i & 1) * phaseLength + i / 2] = x[i];
                src = phases;
            }
            else if (s > 1)
            {
                for (int p = 0; p < s; p++)
                {
                    float* dst = phases + p * phaseLength;
                    for (int i = p, q = 0; i < lin; i += s, q++) dst[q] = x[i];
                }
                src = phases;
            }
            var lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * s;
            for (; j + 8 <= lout; j += 8)
            {
                var m = Vector256.Load(src + j);
                var start = Vector256.Create(j * s) + lane;
                var best = start;
                for (int t = 1; t < k; t++)
                {
                    var v = Vector256.Load(src + (t % s) * phaseLength + j + t / s);
                    var greater = Vector256.GreaterThan(v, m);
                    m = Vector256.ConditionalSelect(greater, v, m);
                    best = Vector256.ConditionalSelect(greater.AsInt32(), start + Vector256.Create(t), best);
                }
                m.Store(y + j);
                best.Store(argmax + j);
            }
        }
        for (; j < lout; j++)
        {
            int start = j * s, best = start;
            float m = x[start];
            for (int t = 1; t < k; t++)
                if (x[start + t] > m) { m = x[start + t]; best = start + t; }
            y[j] = m;
            argmax[j] = best;
        }
    }

    public static void MaxBackward(int rows, int lin, int lout, float[] dy, int[] argmax, float[] dx, ParallelOptions parallel)
        => Parallel.For(0, rows, parallel, r =>
        {
            Array.Clear(dx, r * lin, lin);
            for (int j = 0; j < lout; j++) dx[r * lin + argmax[r * lout + j]] += dy[r * lout + j];
        });

    public static void GapForward(int rows, int l, ReadOnlySpan<float> x, Span<float> y)
    {
        for (int r = 0; r < rows; r++) y[r] = System.Numerics.Tensors.TensorPrimitives.Sum(x.Slice(r * l, l)) / l;
    }

    public static void GapBackward(int rows, int l, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int r = 0; r < rows; r++) dx.Slice(r * l, l).Fill(dy[r] / l);
    }
}
