/* Information gain of each feature: equal-width bins, joint (bin, class) histograms built in local
   memory with integer atomics (OpenCL 1.2 has no float atomic add), merged into global counts, then
   IG = H(Y) - H(Y | X) in nats per feature. x is row-major (rows, features). */

KERNEL column_minmax(int rows, int features, const GLOBAL float* x, GLOBAL float* mins, GLOBAL float* maxs)
{
    int f = GID(0);
    if (f >= features) return;
    float lo = F_INFINITY, hi = -F_INFINITY;
    for (int r = 0; r < rows; r++) {
        float v = x[r * features + f];
        lo = fminf(lo, v);
        hi = fmaxf(hi, v);
    }
    mins[f] = lo;
    maxs[f] = hi;
}

/* bin = floor((v - min) / (max - min) * bins), the maximum in the last bin; a constant feature is all bin 0. */
KERNEL infogain_bin(int rows, int features, int bins, const GLOBAL float* x,
                    const GLOBAL float* mins, const GLOBAL float* maxs, GLOBAL int* binned)
{
    int i = GID(0);
    if (i >= rows * features) return;
    int f = i % features;
    float range = maxs[f] - mins[f];
    int b = range > 0.0f ? (int)((x[i] - mins[f]) / range * (float)bins) : 0;
    binned[i] = b < 0 ? 0 : (b >= bins ? bins - 1 : b);
}

/* Groups: (row chunk, feature). counts (features, bins, classes) must be zeroed first. */
KERNEL infogain_hist(int rows, int features, int bins, int classes, int rows_per_group,
                     const GLOBAL int* binned, const GLOBAL int* labels, GLOBAL int* counts)
{
    LOCAL int hist[HIST_MAX];
    int t = LID(0);
    int f = GROUP_ID(1);
    int cells = bins * classes;
    for (int c = t; c < cells; c += LSIZE(0)) hist[c] = 0;
    BARRIER();
    int start = GROUP_ID(0) * rows_per_group;
    int end = start + rows_per_group < rows ? start + rows_per_group : rows;
    for (int r = start + t; r < end; r += LSIZE(0)) {
        int y = labels[r];
        if (y >= 0 && y < classes) ATOMIC_ADD_INT(&hist[binned[r * features + f] * classes + y], 1);
    }
    BARRIER();
    GLOBAL int* out = counts + f * cells;
    for (int c = t; c < cells; c += LSIZE(0))
        if (hist[c] != 0) ATOMIC_ADD_INT(&out[c], hist[c]);
}

KERNEL infogain_gain(int features, int bins, int classes, const GLOBAL int* counts, GLOBAL float* gain)
{
    int f = GID(0);
    if (f >= features) return;
    const GLOBAL int* h = counts + f * bins * classes;
    float total = 0.0f;
    for (int c = 0; c < bins * classes; c++) total += (float)h[c];
    if (total <= 0.0f) { gain[f] = 0.0f; return; }
    /* H(Y) */
    float hy = 0.0f;
    for (int y = 0; y < classes; y++) {
        float ny = 0.0f;
        for (int b = 0; b < bins; b++) ny += (float)h[b * classes + y];
        if (ny > 0.0f) { float p = ny / total; hy -= p * logf(p); }
    }
    /* H(Y | X) = sum_b p(b) H(Y | b) */
    float hyx = 0.0f;
    for (int b = 0; b < bins; b++) {
        float nb = 0.0f;
        for (int y = 0; y < classes; y++) nb += (float)h[b * classes + y];
        if (nb <= 0.0f) continue;
        float hb = 0.0f;
        for (int y = 0; y < classes; y++) {
            float n = (float)h[b * classes + y];
            if (n > 0.0f) { float p = n / nb; hb -= p * logf(p); }
        }
        hyx += nb / total * hb;
    }
    float ig = hy - hyx;
    gain[f] = ig > 0.0f ? ig : 0.0f;
}
