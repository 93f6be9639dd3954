namespace EcgGpu.Data;

/// <summary>Train and test beats, and a line saying where they came from for reports.</summary>
public sealed record LoadedBeats(BeatSet Train, BeatSet Test, string Description);

/// <summary>
/// Where an application's train and test beats come from: a folder of Kaggle-format files
/// (<see cref="KaggleFolderSource"/>), raw MIT-BIH records extracted once and cached (<see cref="MitdbSource"/>),
/// or the synthetic generator (<see cref="SyntheticSource"/>). <see cref="Choose"/> picks one as <c>ecg</c> does.
/// </summary>
public abstract record BeatSource
{
    /// <summary>Reads, extracts or generates the beats; <paramref name="progress"/> hears what is being done.</summary>
    public abstract LoadedBeats Load(IProgress<string>? progress = null);

    /// <summary>Kaggle files when <paramref name="kaggleFolder"/> is given, else MIT-BIH records when <paramref name="mitdbFolder"/> is, else synthetic beats.</summary>
    public static BeatSource Choose(string? kaggleFolder, string? mitdbFolder, SplitKind split = SplitKind.Kaggle, int seed = 1)
    {
        if (kaggleFolder is not null && mitdbFolder is not null) throw new ArgumentException("give a folder of Kaggle files or of MIT-BIH records, not both");
        if (kaggleFolder is not null) return new KaggleFolderSource(kaggleFolder);
        if (mitdbFolder is not null) return new MitdbSource(mitdbFolder, split, seed);
        return new SyntheticSource(seed);
    }
}

/// <summary><c>mitbih_train.csv[.gz]</c> and <c>mitbih_test.csv[.gz]</c> in <paramref name="Folder"/>, as Kaggle ships them.</summary>
public sealed record KaggleFolderSource(string Folder) : BeatSource
{
    public override LoadedBeats Load(IProgress<string>? progress = null)
    {
        const string setting = $"{nameof(KaggleFolderSource)}.{nameof(Folder)}";
        if (File.Exists(Folder)) throw new InvalidSettingException(setting, Folder, $"is a file; give the folder that holds {KaggleCsv.TrainFile} and {KaggleCsv.TestFile}");
        if (!Directory.Exists(Folder)) throw new InvalidSettingException(setting, Folder, "no such folder");
        var train = KaggleCsv.Find(Folder, KaggleCsv.TrainFile) ?? throw new InvalidSettingException(setting, Folder, $"no {KaggleCsv.TrainFile} or {KaggleCsv.TrainFile}.gz there");
        var test = KaggleCsv.Find(Folder, KaggleCsv.TestFile) ?? throw new InvalidSettingException(setting, Folder, $"no {KaggleCsv.TestFile} or {KaggleCsv.TestFile}.gz there");
        progress?.Report($"reading {train} and {test}");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // The records and RR features of the _rr.csv files beside them come along where present.
        var (trainBeats, testBeats) = (MitdbPreparation.ReadWithRr(train), MitdbPreparation.ReadWithRr(test));
        progress?.Report($"read {trainBeats.Count} + {testBeats.Count} beats in {clock.Elapsed.TotalSeconds:F1} s");
        return new LoadedBeats(trainBeats, testBeats, $"Kaggle-format files in {Folder}");
    }
}

/// <summary>
/// Beats extracted from the raw MIT-BIH records in <paramref name="Folder"/> and split as <paramref name="Split"/>
/// says; cached as Kaggle files (see <see cref="MitdbPreparation.LoadCached"/>), so later loads only read them.
/// </summary>
public sealed record MitdbSource(string Folder, SplitKind Split = SplitKind.Kaggle, int Seed = 1) : BeatSource
{
    public override LoadedBeats Load(IProgress<string>? progress = null)
    {
        if (File.Exists(Folder))
            throw new InvalidSettingException($"{nameof(MitdbSource)}.{nameof(Folder)}", Folder, "is a file; give the folder of MIT-BIH records (100.hea, 100.dat, 100.atr, ...)");
        if (!Directory.Exists(Folder))
            throw new InvalidSettingException($"{nameof(MitdbSource)}.{nameof(Folder)}", Folder, "no such folder (expected MIT-BIH records such as 100.hea, 100.dat, 100.atr)");
        var (train, test) = MitdbPreparation.LoadCached(Folder, Split, Seed, progress: progress);
        return new LoadedBeats(train, test, $"MIT-BIH records in {Folder}, {Split.CliName()} split (seed {Seed})");
    }
}

/// <summary><see cref="SyntheticBeats"/> for training and testing, majority N as in MIT-BIH but every class present enough to learn.</summary>
public sealed record SyntheticSource(int Seed = 1, int TrainCount = 3000, int TestCount = 800) : BeatSource
{
    /// <summary>The class mix: 40 % N, 15 % of each other class.</summary>
    public static IReadOnlyList<double> ClassWeights { get; } = [0.4, 0.15, 0.15, 0.15, 0.15];

    public override LoadedBeats Load(IProgress<string>? progress = null)
    {
        progress?.Report($"using {TrainCount} + {TestCount} synthetic beats (seed {Seed})");
        var weights = ClassWeights.ToArray();
        return new LoadedBeats(SyntheticBeats.Generate(TrainCount, Seed, weights), SyntheticBeats.Generate(TestCount, Seed + 1000, weights),
            $"synthetic beats ({TrainCount} train, {TestCount} test, seed {Seed})");
    }
}
