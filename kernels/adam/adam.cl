/* Fused Adam step: moments and parameter updated in one pass, bias correction as torch.optim.Adam
   (eps added to sqrt(v_hat)). bc1 = 1 - beta1^t and bc2 = 1 - beta2^t come from the host.
   weight_decay > 0: decoupled = 0 adds wd * p to the gradient (Adam/L2), decoupled = 1 shrinks p
   directly by lr * wd * p (AdamW). */
KERNEL adam_step(int n, GLOBAL float* p, const GLOBAL float* g, GLOBAL float* m, GLOBAL float* v,
                 float lr, float beta1, float beta2, float eps, float bc1, float bc2,
                 float weight_decay, int decoupled)
{
    int i = GID(0);
    if (i >= n) return;
    float pi = p[i];
    float gi = g[i];
    if (weight_decay != 0.0f && !decoupled) gi += weight_decay * pi;
    float mi = beta1 * m[i] + (1.0f - beta1) * gi;
    float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    if (weight_decay != 0.0f && decoupled) pi -= lr * weight_decay * pi;
    p[i] = pi - lr * (mi / bc1) / (sqrtf(vi / bc2) + eps);
}
