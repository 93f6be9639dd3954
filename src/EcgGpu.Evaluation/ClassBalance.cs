namespace EcgGpu.Evaluation;

/// <summary>How training answers the imbalance of the classes (MIT-BIH: about 83 % N, under 1 % F).</summary>
public enum ClassBalance
{
    /// <summary>Every beat counts the same.</summary>
    None,

    /// <summary>The loss of each beat is weighted by n / (classes × count of its class), as scikit-learn's "balanced", capped at <see cref="ClassBalanceExtensions.MaxWeight"/>.</summary>
    Weights,

    /// <summary>The training part's minority classes are oversampled to the majority's size, the copies amplitude-scaled and time-stretched (Kachuee et al. 2018).</summary>
    Oversample,
}

public static class ClassBalanceExtensions
{
    public static string ToCliName(this ClassBalance balance) => balance.ToString().ToLowerInvariant();

    public static ClassBalance Parse(string name) => name switch
    {
        "none" => ClassBalance.None,
        "weights" => ClassBalance.Weights,
        "oversample" => ClassBalance.Oversample,
        _ => throw new ArgumentException($"class balance '{name}' is not one of none, weights, oversample", nameof(name)),
    };

    /// <summary>
    /// The largest class weight. DS1 of the inter-patient split holds 8 Q beats among 51,000: uncapped, each would
    /// weigh 1,275 times an average beat and a handful of them would swing every epoch (seen: validation accuracy
    /// jumping between 0.16 and 0.89).
    /// </summary>
    public const float MaxWeight = 10f;

    /// <summary>n / (classes × count) per class, at most <see cref="MaxWeight"/>; a class without beats gets weight 0 (no beat carries it).</summary>
    public static float[] BalancedWeights(IReadOnlyList<long> counts)
    {
        long total = counts.Sum();
        int present = counts.Count(c => c > 0);
        return counts.Select(c => c == 0 ? 0f : (float)Math.Min(MaxWeight, total / ((double)present * c))).ToArray();
    }
}
