using EcgGpu.Nn.Parallel;

namespace EcgGpu.Distributed.Tests;

/// <summary>
/// Collectives among threads of one process, one <see cref="Rank"/> object per thread: what MPI gives ranks, for
/// tests that need no mpirun. Sums are taken in rank order on every rank, so all ranks see the same bits.
/// </summary>
public sealed class InProcessCollectives : ICollectives
{
    private readonly Group _group;

    private InProcessCollectives(Group group, int rank)
    {
        _group = group;
        Rank = rank;
    }

    /// <summary>One collectives object per rank of a group of <paramref name="size"/>.</summary>
    public static InProcessCollectives[] Create(int size)
    {
        var group = new Group(size);
        return Enumerable.Range(0, size).Select(r => new InProcessCollectives(group, r)).ToArray();
    }

    public int Rank { get; }
    public int Size => _group.Slots.Length;

    public void AllreduceSum(Span<float> values)
    {
        _group.Slots[Rank] = values.ToArray();
        _group.Wait();
        var sum = new float[values.Length];
        foreach (var slot in _group.Slots)
            for (int i = 0; i < sum.Length; i++) sum[i] += slot[i];
        _group.Wait();
        sum.CopyTo(values);
    }

    public void Broadcast(Span<float> values, int root)
    {
        if (Rank == root) _group.Slots[root] = values.ToArray();
        _group.Wait();
        if (Rank != root) _group.Slots[root].CopyTo(values);
        _group.Wait();
    }

    private sealed class Group(int size)
    {
        private readonly Barrier _barrier = new(size);
        public float[][] Slots { get; } = new float[size][];

        /// <summary>Every rank arrives, or the test fails rather than hangs.</summary>
        public void Wait()
        {
            if (!_barrier.SignalAndWait(TimeSpan.FromSeconds(60))) throw new TimeoutException("a rank did not reach the collective within 60 s");
        }
    }
}
