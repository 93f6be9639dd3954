using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>
/// Information gain of each feature (column) about the class: equal-width bins per feature, joint
/// histograms on the accelerator, IG = H(Y) − H(Y | X) in nats — scikit-learn's
/// <c>mutual_info_classif(discrete_features=True)</c> on the binned values.
/// </summary>
public static class InfoGain
{
    private const int HistMax = InfoGainKernels.HistMax;

    /// <summary>Bins each column of x (rows × features) into <paramref name="bins"/> equal-width bins.</summary>
    public static void Bin(int rows, int features, int bins, DeviceBuffer<float> x, DeviceBuffer<int> binned)
    {
        var acc = Launch.Same(x, binned);
        if (rows <= 0 || features <= 0 || bins <= 0) throw new ArgumentOutOfRangeException(nameof(bins), $"information gain needs positive rows, features and bins ({rows}, {features}, {bins})");
        Launch.AtLeast(x, (long)rows * features, nameof(x));
        Launch.AtLeast(binned, (long)rows * features, nameof(binned));
        if (Launch.IsCpu(acc)) { InfoGainCpu.Bin(rows, features, bins, Launch.Span(x), Launch.Span(binned)); return; }
        using var mins = acc.Allocate<float>(features);
        using var maxs = acc.Allocate<float>(features);
        var device = Launch.Device(acc);
        device.Kernels<InfoGainKernels.Loaded>().Bin(device, new InfoGainKernels.Shape { Rows = rows, Features = features, Bins = bins },
            Launch.View(x), Launch.View(mins), Launch.View(maxs), Launch.View(binned));
        acc.Synchronize();
    }

    /// <summary>gain[f] for already binned features (values in [0, bins)) and labels in [0, classes).</summary>
    public static void FromBinned(int rows, int features, int bins, int classes, DeviceBuffer<int> binned, DeviceBuffer<int> labels, DeviceBuffer<float> gain)
    {
        var acc = Launch.Same(binned, labels, gain);
        if (rows <= 0 || features <= 0 || bins <= 0 || classes <= 0) throw new ArgumentOutOfRangeException(nameof(bins), "information gain needs positive rows, features, bins and classes");
        if (bins * classes > HistMax) throw new ArgumentOutOfRangeException(nameof(bins), $"bins × classes = {bins * classes} exceeds the {HistMax} histogram cells of a work-group");
        Launch.AtLeast(binned, (long)rows * features, nameof(binned));
        Launch.AtLeast(labels, rows, nameof(labels));
        Launch.AtLeast(gain, features, nameof(gain));
        if (Launch.IsCpu(acc)) { InfoGainCpu.Gain(rows, features, bins, classes, Launch.Span(binned), Launch.Span(labels), Launch.Span(gain), Launch.Parallel(acc)); return; }
        using var counts = acc.Allocate<int>((long)features * bins * classes);
        counts.Fill(0);
        var device = Launch.Device(acc);
        device.Kernels<InfoGainKernels.Loaded>().Gain(device, new InfoGainKernels.Shape { Rows = rows, Features = features, Bins = bins, Classes = classes },
            Launch.View(binned), Launch.View(labels), Launch.View(counts), Launch.View(gain));
        acc.Synchronize();
    }

    /// <summary>Bins x and computes the gain of every feature; returns the gains on the host.</summary>
    public static float[] Compute(int rows, int features, int bins, int classes, DeviceBuffer<float> x, DeviceBuffer<int> labels)
    {
        var acc = Launch.Same(x, labels);
        using var binned = acc.Allocate<int>((long)rows * features);
        using var gain = acc.Allocate<float>(features);
        Bin(rows, features, bins, x, binned);
        FromBinned(rows, features, bins, classes, binned, labels, gain);
        return gain.ToArray();
    }

    /// <summary>Feature indices by gain, highest first; ties keep the lower index first (stable).</summary>
    public static int[] Rank(ReadOnlySpan<float> gains)
    {
        var g = gains.ToArray();
        return Enumerable.Range(0, g.Length).OrderByDescending(i => g[i]).ThenBy(i => i).ToArray();
    }
}
