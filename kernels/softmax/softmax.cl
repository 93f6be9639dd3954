/* Softmax over rows with max subtraction, its backward pass, and fused softmax cross-entropy. */

KERNEL softmax_rows(int rows, int cols, const GLOBAL float* x, GLOBAL float* y)
{
    int r = GID(0);
    if (r >= rows) return;
    const GLOBAL float* xr = x + r * cols;
    GLOBAL float* yr = y + r * cols;
    float m = -F_INFINITY;
    for (int j = 0; j < cols; j++) m = fmaxf(m, xr[j]);
    float s = 0.0f;
    for (int j = 0; j < cols; j++) { float e = expf(xr[j] - m); yr[j] = e; s += e; }
    float inv = 1.0f / s;
    for (int j = 0; j < cols; j++) yr[j] *= inv;
}

/* dx = y * (dy - sum(dy * y)) per row. */
KERNEL softmax_rows_backward(int rows, int cols, const GLOBAL float* y, const GLOBAL float* dy, GLOBAL float* dx)
{
    int r = GID(0);
    if (r >= rows) return;
    int o = r * cols;
    float dot = 0.0f;
    for (int j = 0; j < cols; j++) dot += dy[o + j] * y[o + j];
    for (int j = 0; j < cols; j++) dx[o + j] = y[o + j] * (dy[o + j] - dot);
}

/* One pass per row: loss_r = w[label] * (logsumexp(z) - z[label]) and
   grad = w[label] * (softmax(z) - onehot(label)) * grad_scale, where grad_scale = 1 / rows for the mean.
   Weights follow Keras sample weighting (the mean divides by the row count, not the weight sum).
   A label outside [0, classes) gives a NaN loss, so it cannot pass silently. */
KERNEL softmax_xent(int rows, int classes, const GLOBAL float* logits, const GLOBAL int* labels,
                    const GLOBAL float* class_weights, int use_weights, float grad_scale,
                    GLOBAL float* row_loss, GLOBAL float* grad)
{
    int r = GID(0);
    if (r >= rows) return;
    const GLOBAL float* z = logits + r * classes;
    GLOBAL float* g = grad + r * classes;
    int label = labels[r];
    if (label < 0 || label >= classes) {
        row_loss[r] = F_NAN;
        for (int j = 0; j < classes; j++) g[j] = F_NAN;
        return;
    }
    float w = use_weights ? class_weights[label] : 1.0f;
    float m = -F_INFINITY;
    for (int j = 0; j < classes; j++) m = fmaxf(m, z[j]);
    float s = 0.0f;
    for (int j = 0; j < classes; j++) s += expf(z[j] - m);
    float lse = m + logf(s);
    row_loss[r] = w * (lse - z[label]);
    float inv = 1.0f / s;
    for (int j = 0; j < classes; j++) {
        float p = expf(z[j] - m) * inv;
        g[j] = w * grad_scale * (p - (j == label ? 1.0f : 0.0f));
    }
}

/* One work-group per row, for long rows (attention over hundreds of steps): the max, the sum of
   exponentials and the backward dot product are group reductions in local memory. */
KERNEL softmax_rows_wg(int rows, int cols, const GLOBAL float* x, GLOBAL float* y)
{
    LOCAL float buf[SOFTMAX_WG];
    int r = GROUP_ID(0);
    int t = LID(0);
    const GLOBAL float* xr = x + r * cols;
    GLOBAL float* yr = y + r * cols;
    float m = -F_INFINITY;
    for (int j = t; j < cols; j += SOFTMAX_WG) m = fmaxf(m, xr[j]);
    buf[t] = m;
    group_max(buf, t, SOFTMAX_WG);
    m = buf[0];
    BARRIER(); /* everyone has read the max before buf is reused */
    float s = 0.0f;
    for (int j = t; j < cols; j += SOFTMAX_WG) { float e = expf(xr[j] - m); yr[j] = e; s += e; }
    buf[t] = s;
    group_sum(buf, t, SOFTMAX_WG);
    float inv = 1.0f / buf[0];
    for (int j = t; j < cols; j += SOFTMAX_WG) yr[j] *= inv;
}

KERNEL softmax_rows_backward_wg(int rows, int cols, const GLOBAL float* y, const GLOBAL float* dy, GLOBAL float* dx)
{
    LOCAL float buf[SOFTMAX_WG];
    int r = GROUP_ID(0);
    int t = LID(0);
    int o = r * cols;
    float dot = 0.0f;
    for (int j = t; j < cols; j += SOFTMAX_WG) dot += dy[o + j] * y[o + j];
    buf[t] = dot;
    group_sum(buf, t, SOFTMAX_WG);
    dot = buf[0];
    for (int j = t; j < cols; j += SOFTMAX_WG) dx[o + j] = y[o + j] * (dy[o + j] - dot);
}
