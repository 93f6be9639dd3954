/* Element-wise arithmetic, activations and their gradients, bias add and bias gradient. */

#define ACT_IDENTITY 0
#define ACT_RELU 1
#define ACT_TANH 2
#define ACT_SIGMOID 3

KERNEL ew_add(int n, const GLOBAL float* a, const GLOBAL float* b, GLOBAL float* c)
{
    int i = GID(0);
    if (i < n) c[i] = a[i] + b[i];
}

KERNEL ew_multiply(int n, const GLOBAL float* a, const GLOBAL float* b, GLOBAL float* c)
{
    int i = GID(0);
    if (i < n) c[i] = a[i] * b[i];
}

/* y = alpha * x + beta * y; beta == 0 never reads y (it may hold garbage). */
KERNEL ew_axpby(int n, float alpha, const GLOBAL float* x, float beta, GLOBAL float* y)
{
    int i = GID(0);
    if (i < n) y[i] = beta == 0.0f ? alpha * x[i] : alpha * x[i] + beta * y[i];
}

DEVICE_FN float activate(int act, float x)
{
    if (act == ACT_RELU) return x > 0.0f ? x : 0.0f;
    if (act == ACT_TANH) return tanhf(x);
    if (act == ACT_SIGMOID) return 1.0f / (1.0f + expf(-x));
    return x;
}

/* Derivative written in terms of the activation's output y, so the input need not be kept. */
DEVICE_FN float activate_grad(int act, float y)
{
    if (act == ACT_RELU) return y > 0.0f ? 1.0f : 0.0f;
    if (act == ACT_TANH) return 1.0f - y * y;
    if (act == ACT_SIGMOID) return y * (1.0f - y);
    return 1.0f;
}

KERNEL act_forward(int n, int act, const GLOBAL float* x, GLOBAL float* y)
{
    int i = GID(0);
    if (i < n) y[i] = activate(act, x[i]);
}

KERNEL act_backward(int n, int act, const GLOBAL float* y, const GLOBAL float* dy, GLOBAL float* dx)
{
    int i = GID(0);
    if (i < n) dx[i] = dy[i] * activate_grad(act, y[i]);
}

/* x has shape (outer, channels, inner); x[o, c, i] += bias[c]. Dense: inner = 1. Conv (N, C, L): inner = L. */
KERNEL bias_add(int outer, int channels, int inner, GLOBAL float* x, const GLOBAL float* bias)
{
    int i = GID(0);
    if (i < outer * channels * inner) x[i] += bias[(i / inner) % channels];
}

/* db[c] = sum over o, i of dy[o, c, i]. One work-group per channel, tree reduction in local memory. */
KERNEL bias_grad(int outer, int channels, int inner, const GLOBAL float* dy, GLOBAL float* db)
{
    LOCAL float partial[REDUCE_WG];
    int c = GROUP_ID(0);
    int t = LID(0);
    int count = outer * inner;
    float sum = 0.0f;
    for (int j = t; j < count; j += REDUCE_WG) {
        int o = j / inner;
        int i = j - o * inner;
        sum += dy[(o * channels + c) * inner + i];
    }
    partial[t] = sum;
    group_sum(partial, t, REDUCE_WG);
    if (t == 0) db[c] = partial[0];
}

/* y[n, b, a] = x[n, a, b]: (channels, steps) <-> (steps, channels) per sample. */
KERNEL transpose_batched(int N, int A, int B, const GLOBAL float* x, GLOBAL float* y)
{
    int i = GID(0);
    if (i >= N * A * B) return;
    int b = i % B;
    int a = (i / B) % A;
    int n = i / (A * B);
    y[(n * B + b) * A + a] = x[i];
}
