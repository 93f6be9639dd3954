using System.Diagnostics;
using Microsoft.Data.Analysis;

namespace EcgGpu.Data;

/// <summary>Train and test beats as frames (<see cref="BeatFrame"/>), and a line saying where they came from for reports.</summary>
public sealed record LoadedFrames(DataFrame Train, DataFrame Test, string Description)
{
    /// <summary>The one conversion per data set to the row-major arrays the device takes; <paramref name="progress"/> hears how long it took.</summary>
    public LoadedBeats ToBeats(IProgress<string>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        var train = Train.ToBeatSet();
        double trainSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var test = Test.ToBeatSet(featureColumns: train.ColumnNames);
        progress?.Report($"frames to row-major arrays: {train.Count} x {train.Length} in {trainSeconds:F2} s, {test.Count} x {test.Length} in {clock.Elapsed.TotalSeconds:F2} s");
        return new LoadedBeats(train, test, Description);
    }

    public static LoadedFrames From(LoadedBeats beats) => new(beats.Train.ToDataFrame(), beats.Test.ToDataFrame(), beats.Description);
}
