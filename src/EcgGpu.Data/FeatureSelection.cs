using EcgGpu.Kernels;
using EcgGpu.Runtime;

namespace EcgGpu.Data;

/// <summary>Information gain of each sample index about the class, with the infogain kernel family on any accelerator.</summary>
public static class FeatureSelection
{
    public const int DefaultBins = 64;   // 64 equal-width bins: 59 of scikit-learn's top 60 on MIT-BIH (16 bins: 49)

    /// <summary>The gain (nats) of every column over equal-width bins, and the columns by gain (highest first, stable).</summary>
    public static (int[] Ranked, float[] Gains) Rank(Accelerator accelerator, BeatSet data, int bins = DefaultBins)
    {
        using var x = accelerator.Upload<float>(data.Samples);
        using var y = accelerator.Upload<int>(data.Labels);
        var gains = InfoGain.Compute(data.Count, data.Length, bins, BeatFormat.Classes, x, y);
        return (InfoGain.Rank(gains), gains);
    }
}
