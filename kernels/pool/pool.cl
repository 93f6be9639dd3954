/* 1-D max pooling (any kernel and stride, floor mode) and global average pooling over (rows = N*C, L). */

KERNEL maxpool_forward(int rows, int Lin, int K, int S, int Lout,
                       const GLOBAL float* x, GLOBAL float* y, GLOBAL int* argmax)
{
    int j = GID(0);
    int r = GID(1);
    if (j >= Lout || r >= rows) return;
    const GLOBAL float* xr = x + r * Lin;
    int start = j * S;
    int best = start;
    float m = xr[start];
    for (int k = 1; k < K; k++) {
        float v = xr[start + k];
        if (v > m) { m = v; best = start + k; }
    }
    y[r * Lout + j] = m;
    argmax[r * Lout + j] = best;
}

/* Gather form: each input position sums the gradients of the windows whose maximum it was,
   so overlapping windows need no atomics. */
KERNEL maxpool_backward(int rows, int Lin, int K, int S, int Lout,
                        const GLOBAL float* dy, const GLOBAL int* argmax, GLOBAL float* dx)
{
    int i = GID(0);
    int r = GID(1);
    if (i >= Lin || r >= rows) return;
    int jlo = i - K + 1 <= 0 ? 0 : (i - K + S) / S;
    int jhi = i / S;
    if (jhi > Lout - 1) jhi = Lout - 1;
    float g = 0.0f;
    for (int j = jlo; j <= jhi; j++)
        if (argmax[r * Lout + j] == i) g += dy[r * Lout + j];
    dx[r * Lin + i] = g;
}

KERNEL gap_forward(int rows, int L, const GLOBAL float* x, GLOBAL float* y)
{
    int r = GID(0);
    if (r >= rows) return;
    float s = 0.0f;
    for (int l = 0; l < L; l++) s += x[r * L + l];
    y[r] = s / (float)L;
}

KERNEL gap_backward(int rows, int L, const GLOBAL float* dy, GLOBAL float* dx)
{
    int i = GID(0);
    if (i >= rows * L) return;
    dx[i] = dy[i / L] / (float)L;
}
