/* Device helpers shared by every kernel family; compiled after the backend prelude. */

/* Tree reduction over a work-group of `n` (a power of two) items staged in local memory.
   Every item calls it; item 0 holds the sum in buf[0] afterwards. */
DEVICE_FN void group_sum(LOCAL_PTR float* buf, int t, int n)
{
    BARRIER();
    for (int s = n / 2; s > 0; s >>= 1) {
        if (t < s) buf[t] += buf[t + s];
        BARRIER();
    }
}

DEVICE_FN void group_max(LOCAL_PTR float* buf, int t, int n)
{
    BARRIER();
    for (int s = n / 2; s > 0; s >>= 1) {
        if (t < s) buf[t] = fmaxf(buf[t], buf[t + s]);
        BARRIER();
    }
}
