/* Reductions: sum and max of a whole buffer (two passes of work-group tree reductions), and
   argmax per row (first index of the maximum, as numpy does). */

#define OP_SUM 0
#define OP_MAX 1
#define OP_SUMSQ 2 /* first pass only: sum of squares; the partials are then summed */

DEVICE_FN float combine(int op, float a, float b) { return op == OP_SUM ? a + b : fmaxf(a, b); }

/* Each group strides over the input, reduces in local memory, and writes one partial. */
KERNEL reduce_partial(int n, int op, const GLOBAL float* x, GLOBAL float* partial)
{
    LOCAL float acc[REDUCE_WG];
    int t = LID(0);
    float v = op == OP_MAX ? -F_INFINITY : 0.0f;
    for (int i = GROUP_ID(0) * REDUCE_WG + t; i < n; i += NGROUPS(0) * REDUCE_WG)
        v = op == OP_SUMSQ ? v + x[i] * x[i] : combine(op, v, x[i]);
    acc[t] = v;
    if (op != OP_MAX) group_sum(acc, t, REDUCE_WG);
    else group_max(acc, t, REDUCE_WG);
    if (t == 0) partial[GROUP_ID(0)] = acc[0];
}

KERNEL argmax_rows(int rows, int cols, const GLOBAL float* x, GLOBAL int* out)
{
    int r = GID(0);
    if (r >= rows) return;
    const GLOBAL float* xr = x + r * cols;
    int best = 0;
    float m = xr[0];
    for (int j = 1; j < cols; j++) if (xr[j] > m) { m = xr[j]; best = j; }
    out[r] = best;
}

/* out[0] += number of i < n with a[i] == b[i] (correct predictions), one work-group. */
KERNEL count_equal(int n, const GLOBAL int* a, const GLOBAL int* b, GLOBAL float* out)
{
    LOCAL float acc[REDUCE_WG];
    int t = LID(0);
    float c = 0.0f;
    for (int i = t; i < n; i += REDUCE_WG) c += a[i] == b[i] ? 1.0f : 0.0f;
    acc[t] = c;
    group_sum(acc, t, REDUCE_WG);
    if (t == 0) out[0] += acc[0];
}
