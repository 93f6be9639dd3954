/* Sequence helpers shared by the recurrent families; tensors are (N, L, H), batch first. */

/* prev[n, t] = t > 0 ? h[n, t-1] : 0: the state each step started from (h0 = 0). */
KERNEL shift_time(int N, int L, int H, const GLOBAL float* h, GLOBAL float* prev)
{
    int i = GID(0);
    if (i >= N * L * H) return;
    int t = (i / H) % L;
    prev[i] = t > 0 ? h[i - H] : 0.0f;
}

/* last[n, :] = h[n, L-1, :] */
KERNEL take_last(int N, int L, int H, const GLOBAL float* h, GLOBAL float* last)
{
    int i = GID(0);
    if (i >= N * H) return;
    int n = i / H;
    last[i] = h[(n * L + L - 1) * H + i % H];
}

/* dh[n, t] = t == L-1 ? dlast[n] : 0 */
KERNEL spread_last(int N, int L, int H, const GLOBAL float* dlast, GLOBAL float* dh)
{
    int i = GID(0);
    if (i >= N * L * H) return;
    int t = (i / H) % L;
    dh[i] = t == L - 1 ? dlast[(i / (L * H)) * H + i % H] : 0.0f;
}
