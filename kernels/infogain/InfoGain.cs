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
        var acc = ArgumentChecks.Same(x, binned);
        if (rows <= 0 || features <= 0 || bins <= 0) throw new ArgumentOutOfRangeException(nameof(bins), $"information gain needs positive rows, features and bins ({rows}, {features}, {bins})");
        ArgumentChecks.AtLeast(x, (long)rows * features, nameof(x));
        ArgumentChecks.AtLeast(binned, (long)rows * features, nameof(binned));
        if (Dispatch.IsCpu(acc)) { InfoGainCpu.Bin(rows, features, bins, BufferAccess.Span(x), BufferAccess.Span(binned)); return; }
        using var mins = acc.Allocate<float>(features);
        using var maxs = acc.Allocate<float>(features);
        var device = Dispatch.Device(acc);
        device.Kernels<InfoGainKernels.Loaded>().Bin(device, new InfoGainKernels.Shape { Rows = rows, Features = features, Bins = bins },
            BufferAccess.View(x), BufferAccess.View(mins), BufferAccess.View(maxs), BufferAccess.View(binned));
        acc.Synchronize();
    }

    /// <summary>gain[f] for already binned features (values in [0, bins)) and labels in [0, classes).</summary>
    public static void FromBinned(int rows, int features, int bins, int classes, DeviceBuffer<int> binned, DeviceBuffer<int> labels, DeviceBuffer<float> gain)
    {
        var acc = ArgumentChecks.Same(binned, labels, gain);
        if (rows <= 0 || features <= 0 || bins <= 0 || classes <= 0) throw new ArgumentOutOfRangeException(nameof(bins), "information gain needs positive rows, features, bins and classes");
        if (bins * classes > HistMax) throw new ArgumentOutOfRangeException(nameof(bins), $"bins × classes = {bins * classes} exceeds the {HistMax} histogram cells of a work-group");
        ArgumentChecks.AtLeast(binned, (long)rows * features, nameof(binned));
        ArgumentChecks.AtLeast(labels, rows, nameof(labels));
        ArgumentChecks.AtLeast(gain, features, nameof(gain));
        if (Dispatch.IsCpu(acc)) { InfoGainCpu.Gain(rows, features, bins, classes, BufferAccess.Span(binned), BufferAccess.Span(labels), BufferAccess.Span(gain), Dispatch.Parallel(acc)); return; }
        using var counts = acc.Allocate<int>((long)features * bins * classes);
        counts.Fill(0);
        var device = Dispatch.Device(acc);
        device.Kernels<InfoGainKernels.Loaded>().Gain(device, new InfoGainKernels.Shape { Rows = rows, Features = features, Bins = bins, Classes = classes },
            BufferAccess.View(binned), BufferAccess.View(labels), BufferAccess.View(counts), BufferAccess.View(gain));
        acc.Synchronize();
    }

    /// <summary>Bins x and computes the gain of every feature; returns the gains on the host.</summary>
    public static float[] Compute(int rows, int features, int bins, int classes, DeviceBuffer<float> x, DeviceBuffer<int> labels)
    {
        var acc = ArgumentChecks.Same(x, labels);
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
