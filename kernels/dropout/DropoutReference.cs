namespace EcgGpu.Kernels;

/// <summary>
/// Dropout written plainly, one element at a time, with its own scalar Philox4x32-10: the ground truth the
/// dropout kernels (managed and device) are checked against, bit for bit.
/// </summary>
public static class DropoutReference
{
    /// <summary>One Philox4x32-10 block for counter (c0, c1, c2, c3) and key (k0, k1).</summary>
    public static uint[] Philox(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1)
    {
        uint[] c = [c0, c1, c2, c3];
        for (int round = 0; round < 10; round++)
        {
            ulong p0 = (ulong)0xD2511F53u * c[0];
            ulong p1 = (ulong)0xCD9E8D57u * c[2];
            c = [(uint)(p1 >> 32) ^ c[1] ^ k0, (uint)p1, (uint)(p0 >> 32) ^ c[3] ^ k1, (uint)p0];
            k0 += 0x9E3779B9u;
            k1 += 0xBB67AE85u;
        }
        return c;
    }

    /// <summary>
    /// The mask and output: element i takes word i mod 4 of the block with counter (i / 4, 0, offset, 0) and key
    /// (seed low, seed high); kept (mask 1/(1 − rate)) when (bits &gt;&gt; 8)·2⁻²⁴ ≥ rate. x[j] is element
    /// <paramref name="firstElement"/> + j of the stream.
    /// </summary>
    public static (float[] Mask, double[] Y) Forward(float rate, ulong seed, uint offset, float[] x, long firstElement = 0)
    {
        var mask = new float[x.Length];
        var y = new double[x.Length];
        float scale = 1f / (1f - rate);
        for (int i = 0; i < x.Length; i++)
        {
            long e = firstElement + i;
            uint bits = Philox((uint)(e / 4), 0, offset, 0, (uint)seed, (uint)(seed >> 32))[e % 4];
            float u = (bits >> 8) / 16777216f;
            mask[i] = u >= rate ? scale : 0f;
            y[i] = (double)x[i] * mask[i];
        }
        return (mask, y);
    }
}
