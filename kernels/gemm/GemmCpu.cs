using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace EcgGpu.Kernels;

/// <summary>
/// CPU GEMM in the BLIS style: op(B) is packed into NR-wide panels per KC block, each MR-row strip of
/// op(A) is packed per thread, and a 6 x 16 register-blocked FMA micro-kernel (12 Vector256
/// accumulators) computes each tile. Strips run in parallel; edges are zero-padded in the packs.
/// </summary>
public static unsafe class GemmCpu
{
    private const int MR = 6;
    private const int NR = 16;
    private const int KC = 256;

    public static void Gemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc,
        ParallelOptions? parallel = null)
    {
        if (m == 0 || n == 0) return;
        // beta first, over the whole of C, so the tiles below only accumulate.
        for (int i = 0; i < m; i++)
        {
            var row = c.Slice(i * ldc, n);
            if (beta == 0f) row.Clear();
            else if (beta != 1f) TensorPrimitives.Multiply(row, beta, row);
        }
        if (alpha == 0f || k == 0) return;
        if ((long)m * n * k <= SmallWork) { Small(transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc); return; }
        parallel ??= new ParallelOptions();
        if (m < MR) { FewRows(transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc, parallel); return; }

        int panels = (n + NR - 1) / NR;
        int strips = (m + MR - 1) / MR;
        var packedB = ArrayPool<float>.Shared.Rent(KC * panels * NR);
        try
        {
            fixed (float* pa = a) fixed (float* pb = b) fixed (float* pc = c) fixed (float* pbp = packedB)
            {
                nint aPtr = (nint)pa, bPtr = (nint)pb, cPtr = (nint)pc, bpPtr = (nint)pbp;
                for (int k0 = 0; k0 < k; k0 += KC)
                {
                    int kc = Math.Min(KC, k - k0);
                    int kStart = k0;
                    Parallel.For(0, panels, parallel, p => PackB((float*)bPtr, ldb, transB, n, kStart, kc, p, (float*)bpPtr + (long)p * kc * NR));
                    Parallel.For(0, strips, parallel,
                        () => ArrayPool<float>.Shared.Rent(KC * MR),
                        (s, _, packedA) =>
                        {
                            fixed (float* ap = packedA)
                            {
                                int row0 = s * MR;
                                int mr = Math.Min(MR, m - row0);
                                PackA((float*)aPtr, lda, transA, row0, mr, kStart, kc, ap);
                                for (int p = 0; p < panels; p++)
                                {
                                    int col0 = p * NR;
                                    Micro(kc, ap, (float*)bpPtr + (long)p * kc * NR, (float*)cPtr + (long)row0 * ldc + col0, ldc, alpha, mr, Math.Min(NR, n - col0));
                                }
                            }
                            return packedA;
                        },
                        packedA => ArrayPool<float>.Shared.Return(packedA));
                }
            }
        }
        finally { ArrayPool<float>.Shared.Return(packedB); }
    }

    /// <summary>
    /// Fewer rows than a micro-tile (a single beat through a Dense layer): packing B would copy more than the
    /// product reads, so the unpacked path runs on column slices in parallel, each reading its part of B once.
    /// </summary>
    private static void FewRows(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, ParallelOptions parallel)
    {
        const int Columns = 64;
        int slices = (n + Columns - 1) / Columns;
        int aLength = a.Length, bLength = b.Length, cLength = c.Length;
        fixed (float* pa = a) fixed (float* pb = b) fixed (float* pc = c)
        {
            nint aPtr = (nint)pa, bPtr = (nint)pb, cPtr = (nint)pc;
            Parallel.For(0, slices, parallel, slice =>
            {
                int j0 = slice * Columns, nj = Math.Min(Columns, n - j0);
                if (!transB && nj == Columns)
                {
                    for (int i = 0; i < m; i++)
                        RowTimesPanel64(k, alpha, (float*)aPtr + (transA ? i : (long)i * lda), transA ? lda : 1, (float*)bPtr + j0, ldb, (float*)cPtr + (long)i * ldc + j0);
                    return;
                }
                long bOffset = transB ? (long)j0 * ldb : j0;
                Small(transA, transB, m, nj, k, alpha, new ReadOnlySpan<float>((float*)aPtr, aLength), lda,
                    new ReadOnlySpan<float>((float*)bPtr + bOffset, (int)(bLength - bOffset)), ldb,
                    new Span<float>((float*)cPtr + j0, cLength - j0), ldc);
            });
        }
    }

    /// <summary>c[0..64) += alpha · Σ_p a[p·aStride] · b[p, 0..64): eight accumulators held across all of k.</summary>
    private static void RowTimesPanel64(int k, float alpha, float* a, long aStride, float* b, int ldb, float* c)
    {
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (int p = 0; p < k; p++, a += aStride, b += ldb)
        {
            var av = Vector256.Create(*a);
            c0 = Vector256.FusedMultiplyAdd(av, Vector256.Load(b), c0);
            c1 = Vector256.FusedMultiplyAdd(av, Vector256.Load(b + 8), c1);
            c2 = Vector256.FusedMultiplyAdd(av, Vector256.Load(b + 16), c2);
            c3 = Vector256.FusedMultiplyAdd(av, Vector256.Load(b + 24), c3);
            c4 = Vector256.FusedMultiplyAdd(av, Vector256.Load(b + 32), c4);
            c5 = Vector256.FusedMultiplyAdd(av, Vector256.Load(b + 40), c5);
            c6 = Vector256.FusedMultiplyAdd(av, Vector256.Load(b + 48), c6);
            c7 = Vector256.FusedMultiplyAdd(av, Vector256.Load(b + 56), c7);
        }
        var al = Vector256.Create(alpha);
        Vector256.FusedMultiplyAdd(al, c0, Vector256.Load(c)).Store(c);
        Vector256.FusedMultiplyAdd(al, c1, Vector256.Load(c + 8)).Store(c + 8);
        Vector256.FusedMultiplyAdd(al, c2, Vector256.Load(c + 16)).Store(c + 16);
        Vector256.FusedMultiplyAdd(al, c3, Vector256.Load(c + 24)).Store(c + 24);
        Vector256.FusedMultiplyAdd(al, c4, Vector256.Load(c + 32)).Store(c + 32);
        Vector256.FusedMultiplyAdd(al, c5, Vector256.Load(c + 40)).Store(c + 40);
        Vector256.FusedMultiplyAdd(al, c6, Vector256.Load(c + 48)).Store(c + 48);
        Vector256.FusedMultiplyAdd(al, c7, Vector256.Load(c + 56)).Store(c + 56);
    }

    /// <summary>Below this many multiply-adds, packing and thread start-up cost more than they save.</summary>
    private const long SmallWork = 1 << 17;

    /// <summary>Serial, unpacked: row axpys for op(B) = B, inline SIMD dot products for op(B) = Bᵀ.</summary>
    private static void Small(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc)
    {
        Span<float> gathered = transA ? (k <= 1024 ? stackalloc float[k] : new float[k]) : default;
        fixed (float* pa = a) fixed (float* pb = b) fixed (float* pg = gathered)
        {
            for (int i = 0; i < m; i++)
            {
                float* rowA;
                if (transA)
                {
                    for (int p = 0; p < k; p++) pg[p] = pa[(long)p * lda + i];
                    rowA = pg;
                }
                else rowA = pa + (long)i * lda;
                var rowC = c.Slice(i * ldc, n);
                if (transB)
                {
                    int j = 0;
                    for (; j + 4 <= n; j += 4)
                    {
                        var d = Dot4(rowA, pb + (long)j * ldb, ldb, k);
                        rowC[j] += alpha * d.GetElement(0);
                        rowC[j + 1] += alpha * d.GetElement(1);
                        rowC[j + 2] += alpha * d.GetElement(2);
                        rowC[j + 3] += alpha * d.GetElement(3);
                    }
                    for (; j < n; j++) rowC[j] += alpha * Dot(rowA, pb + (long)j * ldb, k);
                }
                else
                    for (int p = 0; p < k; p++) TensorPrimitives.MultiplyAdd(b.Slice(p * ldb, n), alpha * rowA[p], rowC, rowC);
            }
        }
    }

    /// <summary>Four dot products of x with rows y, y+ld, y+2ld, y+3ld: four independent FMA chains share each load of x.</summary>
    private static Vector128<float> Dot4(float* x, float* y, int ld, int k)
    {
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
        float* y1 = y + ld, y2 = y + 2 * ld, y3 = y + 3 * ld;
        int p = 0;
        for (; p + 8 <= k; p += 8)
        {
            var xv = Vector256.Load(x + p);
            s0 = Vector256.FusedMultiplyAdd(xv, Vector256.Load(y + p), s0);
            s1 = Vector256.FusedMultiplyAdd(xv, Vector256.Load(y1 + p), s1);
            s2 = Vector256.FusedMultiplyAdd(xv, Vector256.Load(y2 + p), s2);
            s3 = Vector256.FusedMultiplyAdd(xv, Vector256.Load(y3 + p), s3);
        }
        float r0 = Vector256.Sum(s0), r1 = Vector256.Sum(s1), r2 = Vector256.Sum(s2), r3 = Vector256.Sum(s3);
        for (; p < k; p++)
        {
            r0 += x[p] * y[p];
            r1 += x[p] * y1[p];
            r2 += x[p] * y2[p];
            r3 += x[p] * y3[p];
        }
        return Vector128.Create(r0, r1, r2, r3);
    }

    private static float Dot(float* x, float* y, int k)
    {
        var s0 = Vector256<float>.Zero;
        var s1 = Vector256<float>.Zero;
        int p = 0;
        for (; p + 16 <= k; p += 16)
        {
            s0 = Vector256.FusedMultiplyAdd(Vector256.Load(x + p), Vector256.Load(y + p), s0);
            s1 = Vector256.FusedMultiplyAdd(Vector256.Load(x + p + 8), Vector256.Load(y + p + 8), s1);
        }
        if (p + 8 <= k)
        {
            s0 = Vector256.FusedMultiplyAdd(Vector256.Load(x + p), Vector256.Load(y + p), s0);
            p += 8;
        }
        float sum = Vector256.Sum(s0 + s1);
        for (; p < k; p++) sum += x[p] * y[p];
        return sum;
    }

    private static void PackB(float* b, int ldb, bool transB, int n, int k0, int kc, int panel, float* dst)
    {
        int col0 = panel * NR;
        int nr = Math.Min(NR, n - col0);
        for (int kk = 0; kk < kc; kk++, dst += NR)
        {
            int kIndex = k0 + kk;
            if (!transB)
            {
                float* src = b + (long)kIndex * ldb + col0;
                int j = 0;
                for (; j < nr; j++) dst[j] = src[j];
                for (; j < NR; j++) dst[j] = 0f;
            }
            else
            {
                int j = 0;
                for (; j < nr; j++) dst[j] = b[(long)(col0 + j) * ldb + kIndex];
                for (; j < NR; j++) dst[j] = 0f;
            }
        }
    }

    private static void PackA(float* a, int lda, bool transA, int row0, int mr, int k0, int kc, float* dst)
    {
        for (int kk = 0; kk < kc; kk++, dst += MR)
        {
            int kIndex = k0 + kk;
            int r = 0;
            if (transA) for (; r < mr; r++) dst[r] = a[(long)kIndex * lda + row0 + r];
            else for (; r < mr; r++) dst[r] = a[(long)(row0 + r) * lda + kIndex];
            for (; r < MR; r++) dst[r] = 0f;
        }
    }

    private static void Micro(int kc, float* a, float* b, float* c, int ldc, float alpha, int mr, int nr)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int kk = 0; kk < kc; kk++, a += MR, b += NR)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var av = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(av, b0, c00); c01 = Vector256.FusedMultiplyAdd(av, b1, c01);
            av = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(av, b0, c10); c11 = Vector256.FusedMultiplyAdd(av, b1, c11);
            av = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(av, b0, c20); c21 = Vector256.FusedMultiplyAdd(av, b1, c21);
            av = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(av, b0, c30); c31 = Vector256.FusedMultiplyAdd(av, b1, c31);
            av = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(av, b0, c40); c41 = Vector256.FusedMultiplyAdd(av, b1, c41);
            av = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(av, b0, c50); c51 = Vector256.FusedMultiplyAdd(av, b1, c51);
        }
        var al = Vector256.Create(alpha);
        if (mr == MR && nr == NR)
        {
            Store(c, c00, c01, al); Store(c + ldc, c10, c11, al); Store(c + 2 * ldc, c20, c21, al);
            Store(c + 3 * ldc, c30, c31, al); Store(c + 4 * ldc, c40, c41, al); Store(c + 5 * ldc, c50, c51, al);
            return;
        }
        var tile = stackalloc float[MR * NR];
        (c00 * al).Store(tile); (c01 * al).Store(tile + 8);
        (c10 * al).Store(tile + 16); (c11 * al).Store(tile + 24);
        (c20 * al).Store(tile + 32); (c21 * al).Store(tile + 40);
        (c30 * al).Store(tile + 48); (c31 * al).Store(tile + 56);
        (c40 * al).Store(tile + 64); (c41 * al).Store(tile + 72);
        (c50 * al).Store(tile + 80); (c51 * al).Store(tile + 88);
        for (int r = 0; r < mr; r++)
            for (int j = 0; j < nr; j++) c[(long)r * ldc + j] += tile[r * NR + j];
    }

    private static void Store(float* c, Vector256<float> lo, Vector256<float> hi, Vector256<float> alpha)
    {
        Vector256.FusedMultiplyAdd(lo, alpha, Vector256.Load(c)).Store(c);
        Vector256.FusedMultiplyAdd(hi, alpha, Vector256.Load(c + 8)).Store(c + 8);
    }
}
