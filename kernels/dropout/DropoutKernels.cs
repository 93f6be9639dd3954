using EcgGpu.Runtime.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace EcgGpu.Kernels;

/// <summary>ILGPU device code for inverted dropout with Philox4x32-10 (Salmon et al. 2011).</summary>
/// <remarks>
/// One thread per Philox block: counter (block, 0, offset, 0) and key (seed low, seed high) give the four
/// uniforms of elements 4·block … 4·block+3, exactly as <see cref="DropoutCpu"/> draws them. Only integer
/// operations make the bits (the 32 × 32 → 64-bit product is a ulong multiply), the uniform is
/// (bits &gt;&gt; 8)·2⁻²⁴ (exact in float) and the keep scale is computed on the host, so the mask is
/// bit-identical on every accelerator.
/// </remarks>
public static class DropoutKernels
{
    private const uint M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    /// <summary>
    /// Everything but the buffers: element count, rate, 1/(1 − rate), key, counter offset, and where the elements
    /// start in the stream (block <see cref="FirstBlock"/>, word <see cref="Skip"/>: a data-parallel shard's rows).
    /// </summary>
    public struct Args
    {
        public int N, Skip;
        public float Rate, Scale;
        public uint SeedLo, SeedHi, Offset, FirstBlock;
    }

    /// <summary>mask = scale where kept, 0 where dropped; y = x · mask.</summary>
    public static void Forward(Index1D block, Args a, ArrayView<float> x, ArrayView<float> y, ArrayView<float> mask)
    {
        uint c0 = a.FirstBlock + (uint)block.X, c1 = 0, c2 = a.Offset, c3 = 0, k0 = a.SeedLo, k1 = a.SeedHi;
        for (int round = 0; round < 10; round++)
        {
            ulong p0 = (ulong)M0 * c0, p1 = (ulong)M1 * c2;
            uint n0 = (uint)(p1 >> 32) ^ c1 ^ k0;
            uint n2 = (uint)(p0 >> 32) ^ c3 ^ k1;
            c1 = (uint)p1;
            c3 = (uint)p0;
            c0 = n0;
            c2 = n2;
            k0 += W0;
            k1 += W1;
        }
        int i = block.X * 4 - a.Skip;
        if (i >= 0) Apply(a, c0, i, x, y, mask);
        if (i + 1 >= 0 && i + 1 < a.N) Apply(a, c1, i + 1, x, y, mask);
        if (i + 2 >= 0 && i + 2 < a.N) Apply(a, c2, i + 2, x, y, mask);
        if (i + 3 < a.N) Apply(a, c3, i + 3, x, y, mask);
    }

    private static void Apply(in Args a, uint bits, int i, ArrayView<float> x, ArrayView<float> y, ArrayView<float> mask)
    {
        float u = (int)(bits >> 8) * (1f / 16777216f); // via int: a uint converts through double in IL
        float m = u >= a.Rate ? a.Scale : 0f;
        mask[i] = m;
        y[i] = x[i] * m;
    }

    /// <summary>The family's kernels loaded on one accelerator.</summary>
    public sealed class Loaded : IKernelFamily<Loaded>
    {
        private Action<AcceleratorStream, Index1D, Args, ArrayView<float>, ArrayView<float>, ArrayView<float>> _forward = null!;

        public static Loaded Load(IlgpuAccelerator accelerator) => new()
        {
            _forward = accelerator.Native.LoadAutoGroupedKernel<Index1D, Args, ArrayView<float>, ArrayView<float>, ArrayView<float>>(DropoutKernels.Forward),
        };

        public void Forward(IlgpuAccelerator device, int n, float rate, ulong seed, uint offset, long firstElement, ArrayView<float> x, ArrayView<float> y, ArrayView<float> mask)
        {
            if (n <= 0) return;
            var args = new Args
            {
                N = n, Skip = (int)(firstElement % 4), FirstBlock = (uint)(firstElement / 4),
                Rate = rate, Scale = 1f / (1f - rate), SeedLo = (uint)seed, SeedHi = (uint)(seed >> 32), Offset = offset,
            };
            _forward(device.Stream, (int)(((long)args.Skip + n + 3) / 4), args, x, y, mask);
        }
    }
}
