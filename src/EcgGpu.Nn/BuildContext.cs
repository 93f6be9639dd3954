using EcgGpu.Runtime;

namespace EcgGpu.Nn;

/// <summary>What a layer needs to allocate itself: the accelerator, the largest batch, a seeded RNG.</summary>
public sealed class BuildContext(Accelerator accelerator, int maxBatch, Random random, ulong seed)
{
    public Accelerator Accelerator { get; } = accelerator;
    public int MaxBatch { get; } = maxBatch;
    public Random Random { get; } = random;
    public ulong Seed { get; } = seed;
}
