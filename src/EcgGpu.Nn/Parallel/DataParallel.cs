namespace EcgGpu.Nn.Parallel;

/// <summary>
/// Data-parallel training over a group of ranks (<see cref="FitOptions.DataParallel"/>). Every rank calls
/// <see cref="Sequential.Fit"/> on the same data with the same options; then:
/// <list type="bullet">
/// <item>at the start of each epoch rank 0's weights, optimiser state and dropout streams are broadcast, so every
/// rank starts from rank 0's model (its initial weights, or the checkpoint it resumed);</item>
/// <item>each global batch (the shuffled rows one process would take) is cut into one contiguous shard per rank
/// (<see cref="ShardPlan"/>); each rank computes its shard's mean-loss gradient, scales it by its share of the
/// batch and the shards' gradients are summed (Allreduce), which is the gradient of the batch's mean loss, so the
/// optimiser step equals one process's on the whole batch;</item>
/// <item>dropout draws, for a shard's rows, the mask one process draws for those rows of the batch;</item>
/// <item>with <see cref="Balance"/>, shards are sized by each rank's measured rows per second (after a warm-up
/// step, over a first window of 2 steps, then windows of <see cref="WindowSteps"/> steps) and re-sized when the predicted step times of the ranks
/// drift more than <see cref="RebalanceThreshold"/> apart, so a slow device does not hold fast ones back.</item>
/// </list>
/// Losses, accuracies and validation figures are summed over ranks, so every rank sees the same epoch logs and
/// callbacks decide alike. Models with BatchNormalization normalise by each shard's statistics (as PyTorch's DDP
/// without SyncBatchNorm) and their moving statistics are averaged, weighted by shard: they are not bit-equal to
/// one process.
/// </summary>
public sealed class DataParallel(ICollectives collectives)
{
    public ICollectives Collectives { get; } = collectives;

    /// <summary>Each rank's device, in rank order, for reports (the caller gathers them).</summary>
    public IReadOnlyList<string> RankDevices { get; init; } = [];

    /// <summary>Size shards by measured throughput (true), or keep them equal.</summary>
    public bool Balance { get; init; } = true;

    /// <summary>Steps per throughput measurement.</summary>
    public int WindowSteps { get; init; } = 8;

    /// <summary>Re-balance when the slowest rank's predicted step time exceeds the mean by more than this fraction.</summary>
    public double RebalanceThreshold { get; init; } = 0.20;

    /// <summary>
    /// When set, replaces this rank's measured compute seconds for a step of the given shard rows: a model of a
    /// device's speed for tests and capacity planning, so that balancing can be checked without depending on
    /// how busy the machine is (threads sharing two cores measure each other's load, not their shard's size).
    /// </summary>
    public Func<int, double>? ComputeSecondsModel { get; init; }

    /// <summary>The shards in use (every rank holds the same plan).</summary>
    public ShardPlan Plan { get; set; } = ShardPlan.Even(collectives.Size);

    /// <summary>How often the shards were re-sized.</summary>
    public int Rebalances { get; internal set; }

    /// <summary>Each rank's figures over the last measured window (empty before the first), on every rank.</summary>
    public IReadOnlyList<RankFigures> LastWindow { get; internal set; } = [];

    /// <summary>Each rank's figures over every measured step of the run (the warm-up step excluded), on every rank.</summary>
    public IReadOnlyList<RankFigures> Overall { get; internal set; } = [];

    /// <summary>Shards as "rank:rows" for the last batch size planned, for progress lines.</summary>
    public string Describe(int batchRows)
    {
        var counts = Plan.Counts(batchRows);
        return string.Join(" ", Enumerable.Range(0, counts.Length).Select(r =>
        {
            var figures = LastWindow.Count > r ? $"/{LastWindow[r].StepSeconds * 1000:F0}ms" : "";
            return $"r{r}:{counts[r]}{figures}";
        }));
    }
}

/// <summary>
/// One rank's mean figures per step: its shard's rows; seconds computing (forward, backward, until its gradients are
/// on the host); staging (gradients to the host and back); the Allreduce (including waiting for slower ranks);
/// the whole step; and its throughput in rows per second of computing.
/// </summary>
public sealed record RankFigures(int Rank, double ShardRows, double ComputeSeconds, double StagingSeconds, double AllreduceSeconds, double StepSeconds, int Steps)
{
    public double RowsPerSecond => ComputeSeconds > 0 ? ShardRows / ComputeSeconds : 0;

    /// <summary>The host-staged exchange's share of the step (what device-side NCCL exchange could remove).</summary>
    public double ExchangeShare => StepSeconds > 0 ? (StagingSeconds + AllreduceSeconds) / StepSeconds : 0;
}
