/* Batch normalisation over (N, C, S) tensors: statistics per channel c over the N·S values of it
   (S = 1 for dense features, the length for NCL convolution outputs). One work-group per channel
   for the reductions, so no atomics and a fixed summation order (deterministic per device). */

/* mean[c] and biased variance var[c] (as Keras/TensorFlow's moments) over the batch. Two passes over
   the data in one kernel: the mean first, then Σ(x − mean)², which avoids cancellation. */
KERNEL bn_stats(int n, int c, int s, const GLOBAL float* x, GLOBAL float* mean, GLOBAL float* var)
{
    LOCAL float buf[BN_WG];
    int ch = GROUP_ID(0);
    int t = LID(0);
    int m = n * s;
    float acc = 0.0f;
    for (int i = t; i < m; i += BN_WG) acc += x[(i / s) * c * s + ch * s + i % s];
    buf[t] = acc;
    group_sum(buf, t, BN_WG);
    float mu = buf[0] / (float)m;
    BARRIER();
    acc = 0.0f;
    for (int i = t; i < m; i += BN_WG) { float d = x[(i / s) * c * s + ch * s + i % s] - mu; acc += d * d; }
    buf[t] = acc;
    group_sum(buf, t, BN_WG);
    if (t == 0) { mean[ch] = mu; var[ch] = buf[0] / (float)m; }
}

/* y = gamma·(x − mean)·rsqrt(var + eps) + beta, with batch or moving statistics. */
KERNEL bn_forward(int total, int c, int s, float eps, const GLOBAL float* x, const GLOBAL float* mean, const GLOBAL float* var,
                  const GLOBAL float* gamma, const GLOBAL float* beta, GLOBAL float* y)
{
    int i = GID(0);
    if (i >= total) return;
    int ch = (i / s) % c;
    y[i] = gamma[ch] * (x[i] - mean[ch]) * 1.0f / sqrtf(var[ch] + eps) + beta[ch];
}

/* dgamma[c] = Σ dy·x̂ and dbeta[c] = Σ dy over the batch (overwritten). */
KERNEL bn_backward_reduce(int n, int c, int s, float eps, const GLOBAL float* x, const GLOBAL float* dy,
                          const GLOBAL float* mean, const GLOBAL float* var, GLOBAL float* dgamma, GLOBAL float* dbeta)
{
    LOCAL float bg[BN_WG];
    LOCAL float bb[BN_WG];
    int ch = GROUP_ID(0);
    int t = LID(0);
    int m = n * s;
    float mu = mean[ch], inv = 1.0f / sqrtf(var[ch] + eps);
    float g = 0.0f, b = 0.0f;
    for (int i = t; i < m; i += BN_WG) {
        int k = (i / s) * c * s + ch * s + i % s;
        g += dy[k] * (x[k] - mu) * inv;
        b += dy[k];
    }
    bg[t] = g;
    bb[t] = b;
    group_sum(bg, t, BN_WG);
    group_sum(bb, t, BN_WG);
    if (t == 0) { dgamma[ch] = bg[0]; dbeta[ch] = bb[0]; }
}

/* With batch statistics: dx = gamma·rsqrt(var + eps)/M · (M·dy − dbeta − x̂·dgamma), M = N·S, the gradient
   through the statistics. With fixed (moving) statistics: dx = gamma·rsqrt(var + eps)·dy. */
KERNEL bn_backward_dx(int total, int n, int c, int s, float eps, int batch_stats, const GLOBAL float* x, const GLOBAL float* dy,
                      const GLOBAL float* mean, const GLOBAL float* var, const GLOBAL float* gamma,
                      const GLOBAL float* dgamma, const GLOBAL float* dbeta, GLOBAL float* dx)
{
    int i = GID(0);
    if (i >= total) return;
    int ch = (i / s) % c;
    float m = (float)(n * s);
    float inv = 1.0f / sqrtf(var[ch] + eps);
    float xhat = (x[i] - mean[ch]) * inv;
    dx[i] = batch_stats ? gamma[ch] * inv / m * (m * dy[i] - dbeta[ch] - xhat * dgamma[ch]) : gamma[ch] * inv * dy[i];
}
