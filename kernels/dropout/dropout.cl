/* Inverted dropout with a counter-based RNG (Philox4x32-10, Salmon et al. 2011): the mask depends only
   on (seed, offset, element index), so every backend draws the same mask for the same seed. */

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

DEVICE_FN void philox4x32_10(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint* out)
{
    for (int round = 0; round < 10; round++) {
        uint hi0 = MULHI(PHILOX_M0, c0);
        uint lo0 = PHILOX_M0 * c0;
        uint hi1 = MULHI(PHILOX_M1, c2);
        uint lo1 = PHILOX_M1 * c2;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

/* Each work-item draws one Philox block (counter = (block, 0, offset, 0)) for 4 consecutive elements.
   mask = 1/(1-rate) where kept, 0 where dropped; y = x * mask. The backward pass is dy * mask. */
KERNEL dropout_forward(int n, float rate, uint seed_lo, uint seed_hi, uint offset,
                       const GLOBAL float* x, GLOBAL float* y, GLOBAL float* mask)
{
    int block = GID(0);
    int base = block * 4;
    if (base >= n) return;
    uint r[4];
    philox4x32_10((uint)block, 0u, offset, 0u, seed_lo, seed_hi, r);
    float scale = 1.0f / (1.0f - rate);
    for (int j = 0; j < 4; j++) {
        int i = base + j;
        if (i < n) {
            float u = (float)(r[j] >> 8) * (1.0f / 16777216.0f);
            float m = u >= rate ? scale : 0.0f;
            mask[i] = m;
            y[i] = x[i] * m;
        }
    }
}
