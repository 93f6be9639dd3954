/* 1-D cross-correlation, stride 1, layout (N, C, L) as PyTorch; w (Cout, Cin, K).
   Padding `pad` zeros on the left; Lout is given (valid: Lin-K+1; same: Lin), so both modes share code. */

KERNEL conv1d_forward(int N, int Cin, int Lin, int Cout, int K, int pad, int Lout,
                      const GLOBAL float* x, const GLOBAL float* w, const GLOBAL float* bias, int use_bias,
                      GLOBAL float* y)
{
    int l = GID(0);
    int co = GID(1);
    int n = GID(2);
    if (l >= Lout || co >= Cout || n >= N) return;
    float acc = use_bias ? bias[co] : 0.0f;
    for (int ci = 0; ci < Cin; ci++) {
        const GLOBAL float* xr = x + (n * Cin + ci) * Lin;
        const GLOBAL float* wr = w + (co * Cin + ci) * K;
        for (int k = 0; k < K; k++) {
            int src = l + k - pad;
            if (src >= 0 && src < Lin) acc += wr[k] * xr[src];
        }
    }
    y[(n * Cout + co) * Lout + l] = acc;
}

/* dx[n, ci, i] = sum over co, k of w[co, ci, k] * dy[n, co, i + pad - k]. */
KERNEL conv1d_backward_input(int N, int Cin, int Lin, int Cout, int K, int pad, int Lout,
                             const GLOBAL float* dy, const GLOBAL float* w, GLOBAL float* dx)
{
    int i = GID(0);
    int ci = GID(1);
    int n = GID(2);
    if (i >= Lin || ci >= Cin || n >= N) return;
    float acc = 0.0f;
    for (int co = 0; co < Cout; co++) {
        const GLOBAL float* dyr = dy + (n * Cout + co) * Lout;
        const GLOBAL float* wr = w + (co * Cin + ci) * K;
        for (int k = 0; k < K; k++) {
            int l = i + pad - k;
            if (l >= 0 && l < Lout) acc += wr[k] * dyr[l];
        }
    }
    dx[(n * Cin + ci) * Lin + i] = acc;
}

/* dw[co, ci, k] = sum over n, l of dy[n, co, l] * x[n, ci, l + k - pad].
   One work-group per weight, a tree reduction over the N * Lout products in local memory. */
KERNEL conv1d_backward_weight(int N, int Cin, int Lin, int Cout, int K, int pad, int Lout,
                              const GLOBAL float* x, const GLOBAL float* dy, GLOBAL float* dw)
{
    LOCAL float partial[REDUCE_WG];
    int widx = GROUP_ID(0);
    int k = widx % K;
    int ci = (widx / K) % Cin;
    int co = widx / (K * Cin);
    int t = LID(0);
    float acc = 0.0f;
    int total = N * Lout;
    for (int j = t; j < total; j += REDUCE_WG) {
        int n = j / Lout;
        int l = j - n * Lout;
        int src = l + k - pad;
        if (src >= 0 && src < Lin) acc += dy[(n * Cout + co) * Lout + l] * x[(n * Cin + ci) * Lin + src];
    }
    partial[t] = acc;
    group_sum(partial, t, REDUCE_WG);
    if (t == 0) dw[widx] = partial[0];
}
