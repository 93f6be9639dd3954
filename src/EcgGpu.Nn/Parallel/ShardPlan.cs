namespace EcgGpu.Nn.Parallel;

/// <summary>
/// How a global batch is cut into one contiguous shard per rank: in proportion to each rank's weight (its measured
/// throughput), by largest remainders, so the shards always add up to the batch. Every rank computes the same plan
/// from the same weights; rank r's shard follows rank r − 1's, so the shards in rank order are the batch in order.
/// </summary>
public sealed class ShardPlan
{
    private readonly double[] _weights;

    public ShardPlan(IReadOnlyList<double> weights)
    {
        if (weights.Count == 0) throw new ArgumentException("a shard plan needs at least one rank", nameof(weights));
        foreach (var w in weights)
            if (!(w > 0) || !double.IsFinite(w)) throw new ArgumentException($"shard weights must be positive and finite, got {string.Join(", ", weights)}", nameof(weights));
        double total = weights.Sum();
        _weights = weights.Select(w => w / total).ToArray();
    }

    /// <summary>Equal shards for <paramref name="ranks"/> ranks.</summary>
    public static ShardPlan Even(int ranks) => new(Enumerable.Repeat(1.0, ranks).ToArray());

    public int Ranks => _weights.Length;

    /// <summary>Each rank's share of a batch, summing to 1.</summary>
    public IReadOnlyList<double> Shares => _weights;

    /// <summary>Rows of a batch of <paramref name="rows"/> per rank.</summary>
    public int[] Counts(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        var counts = new int[_weights.Length];
        var remainders = new (double Remainder, int Rank)[_weights.Length];
        int given = 0;
        for (int r = 0; r < _weights.Length; r++)
        {
            double exact = rows * _weights[r];
            counts[r] = (int)Math.Floor(exact);
            given += counts[r];
            remainders[r] = (exact - counts[r], r);
        }
        // Largest remainders first; ties to the lower rank, so every rank orders them alike.
        foreach (var (_, rank) in remainders.OrderByDescending(t => t.Remainder).ThenBy(t => t.Rank).Take(rows - given)) counts[rank]++;
        return counts;
    }

    /// <summary>Where <paramref name="rank"/>'s shard of a batch of <paramref name="rows"/> starts, and its rows.</summary>
    public (int Offset, int Count) For(int rank, int rows)
    {
        var counts = Counts(rows);
        int offset = 0;
        for (int r = 0; r < rank; r++) offset += counts[r];
        return (offset, counts[rank]);
    }
}
