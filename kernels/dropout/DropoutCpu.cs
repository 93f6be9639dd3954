using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EcgGpu.Kernels;

/// <summary>
/// Philox4x32-10 and dropout on the CPU, bit-identical to the device kernel: counter (block, 0, offset, 0)
/// gives the four uniforms of elements 4·block … 4·block+3. With AVX2 four blocks run side by side in
/// 64-bit lanes (<c>vpmuludq</c> gives the 32 × 32 → 64-bit products Philox needs); chunks of blocks run
/// in parallel.
/// </summary>
public static class DropoutCpu
{
    private const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;
    private const int BlocksPerChunk = 1 << 12;

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

    /// <summary>
    /// The mask and output of elements <paramref name="firstElement"/> … <paramref name="firstElement"/> + n − 1 of
    /// the stream, into x, y and mask from index 0: a data-parallel rank draws its shard's part of the mask one
    /// process would draw for the whole batch.
    /// </summary>
    public static void Forward(float rate, ulong seed, uint offset, float[] x, float[] y, float[] mask, int n, ParallelOptions parallel, long firstElement = 0)
    {
        if (firstElement < 0) throw new ArgumentOutOfRangeException(nameof(firstElement), $"first element must not be negative, got {firstElement}");
        uint firstBlock = (uint)(firstElement / 4);
        int skip = (int)(firstElement % 4);
        int head = 0;
        if (skip != 0 && n > 0)
        {
            // The first block's words before firstElement belong to the rows of another shard.
            var (r0, r1, r2, r3) = Philox(firstBlock, 0, offset, 0, (uint)seed, (uint)(seed >> 32));
            uint[] words = [r0, r1, r2, r3];
            head = Math.Min(4 - skip, n);
            for (int k = 0; k < head; k++) Apply(words[skip + k], rate, 1f / (1f - rate), x, y, mask, k);
            firstBlock++;
        }
        int rest = n - head;
        int blocks = (rest + 3) / 4;
        if (blocks <= BlocksPerChunk) { Blocks(rate, seed, offset, x, y, mask, n, firstBlock, head, 0, blocks); return; }
        Parallel.For(0, (blocks + BlocksPerChunk - 1) / BlocksPerChunk, parallel,
            c => Blocks(rate, seed, offset, x, y, mask, n, firstBlock, head, c * BlocksPerChunk, Math.Min(blocks, (c + 1) * BlocksPerChunk)));
    }

    /// <summary>Blocks from … to − 1 counted from stream block <paramref name="firstBlock"/>, whose elements start at index <paramref name="start"/>.</summary>
    private static void Blocks(float rate, ulong seed, uint offset, float[] x, float[] y, float[] mask, int n, uint firstBlock, int start, int from, int to)
    {
        float scale = 1f / (1f - rate);
        uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
        int block = from;
        if (Avx2.IsSupported)
        {
            var vRate = Vector256.Create(rate);
            var vScale = Vector256.Create(scale);
            for (; block + 4 <= to && start + (block + 4) * 4 <= n; block += 4)
            {
                var (first, second) = Philox4(firstBlock + (uint)block, offset, k0, k1);
                int i = start + block * 4;
                Apply8(first, vRate, vScale, x, y, mask, i);
                Apply8(second, vRate, vScale, x, y, mask, i + 8);
            }
        }
        for (; block < to; block++)
        {
            var (r0, r1, r2, r3) = Philox(firstBlock + (uint)block, 0, offset, 0, k0, k1);
            int i = start + block * 4;
            if (i < n) Apply(r0, rate, scale, x, y, mask, i);
            if (i + 1 < n) Apply(r1, rate, scale, x, y, mask, i + 1);
            if (i + 2 < n) Apply(r2, rate, scale, x, y, mask, i + 2);
            if (i + 3 < n) Apply(r3, rate, scale, x, y, mask, i + 3);
        }
    }

    private static void Apply(uint bits, float rate, float scale, float[] x, float[] y, float[] mask, int i)
    {
        float u = (bits >> 8) * (1f / 16777216f);
        float m = u >= rate ? scale : 0f;
        mask[i] = m;
        y[i] = x[i] * m;
    }

    private static void Apply8(Vector256<uint> bits, Vector256<float> rate, Vector256<float> scale, float[] x, float[] y, float[] mask, int i)
    {
        var u = Vector256.ConvertToSingle((bits >>> 8).AsInt32()) * Vector256.Create(1f / 16777216f);
        var m = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(u, rate), scale, Vector256<float>.Zero);
        m.CopyTo(mask.AsSpan(i, 8));
        (Vector256.Create(x.AsSpan(i, 8)) * m).CopyTo(y.AsSpan(i, 8));
    }

    /// <summary>Blocks b … b+3 at once: the 16 words in element order (block b's four words, then b+1's, …).</summary>
    private static (Vector256<uint>, Vector256<uint>) Philox4(uint block, uint offset, uint k0, uint k1)
    {
        var low = Vector256.Create(0xFFFFFFFFUL);
        var c0 = Vector256.Create((ulong)block, (ulong)(block + 1), (ulong)(block + 2), (ulong)(block + 3));
        var c1 = Vector256<ulong>.Zero;
        var c2 = Vector256.Create((ulong)offset);
        var c3 = Vector256<ulong>.Zero;
        var m0 = Vector256.Create((ulong)M0).AsUInt32();
        var m1 = Vector256.Create((ulong)M1).AsUInt32();
        ulong key0 = k0, key1 = k1;
        for (int round = 0; round < 10; round++)
        {
            var p0 = Avx2.Multiply(m0, c0.AsUInt32());
            var p1 = Avx2.Multiply(m1, c2.AsUInt32());
            var n0 = (p1 >>> 32) ^ c1 ^ Vector256.Create(key0);
            var n2 = (p0 >>> 32) ^ c3 ^ Vector256.Create(key1);
            c1 = p1 & low;
            c3 = p0 & low;
            c0 = n0;
            c2 = n2;
            key0 = (uint)(key0 + W0);
            key1 = (uint)(key1 + W1);
        }
        // 64-bit lanes (w0 | w1 << 32) and (w2 | w3 << 32) per block; unpack pairs blocks within 128-bit
        // halves (0 and 2, 1 and 3), and the 128-bit permutes put blocks 0, 1 then 2, 3 in order.
        var w01 = c0 | (c1 << 32);
        var w23 = c2 | (c3 << 32);
        var even = Avx2.UnpackLow(w01, w23);
        var odd = Avx2.UnpackHigh(w01, w23);
        return (Avx2.Permute2x128(even, odd, 0x20).AsUInt32(), Avx2.Permute2x128(even, odd, 0x31).AsUInt32());
    }
}
