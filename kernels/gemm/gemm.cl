/* C = alpha * op(A) op(B) + beta * C, row-major, op = identity or transpose.
   Tiled through local memory: each TS x TS work-group stages a tile of op(A) and op(B) per K step.
   TS comes from the host (tuning define). beta == 0 never reads C. */

#define A_AT(i, k) (transA ? A[(k) * lda + (i)] : A[(i) * lda + (k)])
#define B_AT(k, j) (transB ? B[(j) * ldb + (k)] : B[(k) * ldb + (j)])

/* The third grid dimension indexes a batch of independent products, strideA/B/C elements apart. */
KERNEL gemm_tiled(int M, int N, int K, float alpha,
                  const GLOBAL float* A, int lda, int transA, int strideA,
                  const GLOBAL float* B, int ldb, int transB, int strideB,
                  float beta, GLOBAL float* C, int ldc, int strideC)
{
    A += GROUP_ID(2) * strideA;
    B += GROUP_ID(2) * strideB;
    C += GROUP_ID(2) * strideC;
    LOCAL float As[TS][TS + 1];
    LOCAL float Bs[TS][TS + 1];
    int tx = LID(0);
    int ty = LID(1);
    int row = GROUP_ID(1) * TS + ty;
    int col = GROUP_ID(0) * TS + tx;
    float acc = 0.0f;
    for (int k0 = 0; k0 < K; k0 += TS) {
        int ka = k0 + tx;
        int kb = k0 + ty;
        As[ty][tx] = (row < M && ka < K) ? A_AT(row, ka) : 0.0f;
        Bs[ty][tx] = (kb < K && col < N) ? B_AT(kb, col) : 0.0f;
        BARRIER();
        for (int k = 0; k < TS; k++) acc += As[ty][k] * Bs[k][tx];
        BARRIER();
    }
    if (row < M && col < N) {
        int idx = row * ldc + col;
        C[idx] = beta == 0.0f ? alpha * acc : alpha * acc + beta * C[idx];
    }
}
