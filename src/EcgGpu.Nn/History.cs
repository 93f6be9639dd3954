namespace EcgGpu.Nn;

/// <summary>One epoch's figures, as Keras's History keeps them.</summary>
public sealed record EpochLog(int Epoch, double Loss, double Accuracy, double? ValLoss, double? ValAccuracy, float LearningRate, double Seconds);

/// <summary>What <see cref="Sequential.Fit"/> returns: each epoch's figures, and why and where training stopped.</summary>
public sealed class History
{
    public List<EpochLog> Epochs { get; } = new();
    /// <summary>Epoch (1-based) whose weights the model holds at the end, when a callback restored them.</summary>
    public int? RestoredEpoch { get; internal set; }
    public string? StopReason { get; internal set; }
}
