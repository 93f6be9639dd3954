namespace EcgGpu.Nn;

public sealed record FitOptions(int Epochs = 10, bool Shuffle = true, int Seed = 1, float[]? ClassWeights = null)
{
    /// <summary>Epochs already done (Keras <c>initial_epoch</c>): training runs epochs InitialEpoch+1..Epochs, with the shuffles those epochs would have had.</summary>
    public int InitialEpoch { get; init; }

    /// <summary>Reported after every step, for progress bars: the epoch, rows done so far in it, rows in all, and the mean loss so far.</summary>
    public IProgress<StepProgress>? StepProgress { get; init; }

    /// <summary>When set, this process is one rank of a data-parallel job (<see cref="Parallel.DataParallel"/>).</summary>
    public Parallel.DataParallel? DataParallel { get; init; }
}

/// <summary>Progress within an epoch.</summary>
public readonly record struct StepProgress(int Epoch, int Rows, int TotalRows, double Loss);
