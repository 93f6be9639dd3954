namespace EcgGpu.Kernels.Dropout;

/// <summary>Philox4x32-10 and dropout on the CPU, bit-identical to the device kernel.</summary>
public static class DropoutCpu
{
    private const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    /// <summary>One Philox4x32-10 block.</summary>
    public static (uint, uint, uint, uint) Philox(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        for (int round = 0; round < 10; round++)
        {
            ulong p0 = (ulong)M0 * c0, p1 = (ulong)M1 * c2;
            uint hi0 = (uint)(p0 >> 32), lo0 = (uint)p0, hi1 = (uint)(p1 >> 32), lo1 = (uint)p1;
            c0 = hi1 ^ c1 ^ k0;
            c1 = lo1;
            c2 = hi0 ^ c3 ^ k1;
            c3 = lo0;
            k0 += W0;
            k1 += W1;
        }
        return (c0, c1, c2, c3);
    }

    public static void Forward(float rate, ulong seed, uint offset, ReadOnlySpan<float> x, Span<float> y, Span<float> mask)
    {
        int n = x.Length;
        float scale = 1f / (1f - rate);
        uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
        Span<uint> r = stackalloc uint[4];
        for (int block = 0; block * 4 < n; block++)
        {
            (r[0], r[1], r[2], r[3]) = Philox((uint)block, 0, offset, 0, k0, k1);
            for (int j = 0; j < 4 && block * 4 + j < n; j++)
            {
                int i = block * 4 + j;
                float u = (r[j] >> 8) * (1f / 16777216f);
                float m = u >= rate ? scale : 0f;
                mask[i] = m;
                y[i] = x[i] * m;
            }
        }
    }
}
