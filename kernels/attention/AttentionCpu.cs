namespace EcgGpu.Kernels;

/// <summary>The CPU part of attention that is not a GEMM or a softmax: the key mask.</summary>
public static class AttentionCpu
{
    public static void Mask(int n, int lq, int lk, Span<float> scores, ReadOnlySpan<float> mask)
    {
        for (int b = 0; b < n; b++)
            for (int q = 0; q < lq; q++)
                for (int k = 0; k < lk; k++)
                    scores[(b * lq + q) * lk + k] -= 1e9f * (1f - mask[b * lk + k]);
    }
}
