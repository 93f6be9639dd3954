/* Attention helpers; the products themselves are batched GEMMs and the softmax is the softmax family's.
   Key mask: scores[n, q, k] -= 1e9 * (1 - mask[n, k]), as Keras does, so padded steps get no weight. */
KERNEL attention_mask(int N, int Lq, int Lk, GLOBAL float* scores, const GLOBAL float* mask)
{
    int i = GID(0);
    if (i >= N * Lq * Lk) return;
    int k = i % Lk;
    int n = i / (Lq * Lk);
    scores[i] -= 1e9f * (1.0f - mask[n * Lk + k]);
}
