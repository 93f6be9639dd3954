using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;

namespace EcgGpu.Data;

/// <summary>How the beats of the raw records are split into the train and test files.</summary>
public enum SplitKind
{
    /// <summary>Random 80/20 stratified by class, as the Kaggle files (a patient's beats land on both sides).</summary>
    Kaggle,

    /// <summary>de Chazal et al. 2004: DS1 records train, DS2 records test; the four paced records are left out.</summary>
    InterPatient,
}

/// <summary>What <see cref="MitdbPreparation.Run"/> wrote and how long each step took.</summary>
public sealed record PreparedData(string TrainPath, string TestPath, string ManifestPath, BeatSet Train, BeatSet Test, IReadOnlyDictionary<string, double> Seconds);

/// <summary>
/// Raw MIT-BIH records to the Kaggle files: <c>mitbih_train.csv</c>, <c>mitbih_test.csv</c> and a
/// <c>manifest.json</c> with the counts per class and per record, the parameters and the SHA-256 of
/// every source file. <c>ecg prepare</c>, and the cache behind <c>--mitdb</c>, run this.
/// </summary>
public static class MitdbPreparation
{
    public static string CliName(this SplitKind split) => split == SplitKind.Kaggle ? "kaggle" : "inter-patient";

    public static PreparedData Run(string mitdb, string outDir, SplitKind split, int seed, IProgress<string>? progress = null)
    {
        if (!Directory.Exists(mitdb)) throw new DirectoryNotFoundException($"{mitdb}: no such directory (expected MIT-BIH records such as 100.hea, 100.dat, 100.atr)");
        var records = Mitdb.Records(mitdb);
        if (records.Count == 0) throw new FileNotFoundException($"{mitdb}: no WFDB header (*.hea) found");
        var seconds = new Dictionary<string, double>();
        var clock = Stopwatch.StartNew();
        var parts = new List<BeatSet>();
        for (int i = 0; i < records.Count; i++)
        {
            progress?.Report($"extracting record {records[i]} ({i + 1}/{records.Count})");
            parts.Add(Mitdb.ExtractBeats(mitdb, records[i], out _));
        }
        var all = parts.Aggregate(BeatSet.Concat);
        seconds["extract"] = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var (train, test) = split == SplitKind.Kaggle ? Splits.Stratified(all, 0.2, seed) : Splits.InterPatient(all);
        seconds["split"] = clock.Elapsed.TotalSeconds;

        clock.Restart();
        Directory.CreateDirectory(outDir);
        var trainPath = Path.Combine(outDir, KaggleCsv.TrainFile);
        var testPath = Path.Combine(outDir, KaggleCsv.TestFile);
        progress?.Report($"writing {trainPath} ({train.Count} beats)");
        KaggleCsv.Write(trainPath, train);
        progress?.Report($"writing {testPath} ({test.Count} beats)");
        KaggleCsv.Write(testPath, test);
        RrFeatures.Write(RrFeatures.PathBeside(trainPath), train);
        RrFeatures.Write(RrFeatures.PathBeside(testPath), test);
        seconds["write"] = clock.Elapsed.TotalSeconds;

        clock.Restart();
        progress?.Report("hashing source files");
        var manifestPath = Path.Combine(outDir, "manifest.json");
        WriteManifest(manifestPath, mitdb, records, split, seed, all, train, test, seconds);
        seconds["manifest"] = clock.Elapsed.TotalSeconds;
        return new PreparedData(trainPath, testPath, manifestPath, train, test, seconds);
    }

    private static void WriteManifest(string path, string mitdb, IReadOnlyList<string> records, SplitKind split, int seed,
        BeatSet all, BeatSet train, BeatSet test, Dictionary<string, double> seconds)
    {
        var temp = path + ".tmp";
        using (var stream = File.Create(temp))
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("source", Path.GetFullPath(mitdb));
            w.WriteString("split", split.CliName());
            w.WriteNumber("seed", seed);
            w.WriteStartObject("parameters");
            w.WriteString("lead", "MLII (signal 0; signal 1 in record 114)");
            w.WriteNumber("sample_rate_hz", BeatFormat.SampleRate);
            w.WriteNumber("length", BeatFormat.Length);
            w.WriteString("window", "from the R peak, 1.2 x the median R-R interval within 5 s, min-max normalised, zero-padded");
            w.WriteString("classes", "AAMI: 0 N, 1 S, 2 V, 3 F, 4 Q");
            if (split == SplitKind.Kaggle) w.WriteNumber("test_fraction", 0.2);
            else w.WriteString("train_records", string.Join(",", Mitdb.DS1));
            if (split == SplitKind.InterPatient) w.WriteString("test_records", string.Join(",", Mitdb.DS2));
            w.WriteEndObject();
            w.WriteStartObject("rr_features");
            w.WriteString("files", $"{Path.GetFileName(RrFeatures.PathBeside(KaggleCsv.TrainFile))}, {Path.GetFileName(RrFeatures.PathBeside(KaggleCsv.TestFile))}: one row per beat, in the order of the Kaggle files");
            w.WriteString("columns", "record, sample (R peak at the record's 360 Hz), " + string.Join(", ", RrFeatures.Names));
            w.WriteString("pre_rr, post_rr", "seconds from the previous R peak and to the next (the first beat of a record takes its post-RR as pre-RR, the last its pre-RR as post-RR)");
            w.WriteString("local_rr", $"mean of the {2 * RrFeatures.LocalHalfWindow} RR intervals around the beat, seconds");
            w.WriteString("record_rr", "mean RR interval of the whole record, seconds");
            w.WriteString("ratios", "pre_local = pre_rr / local_rr, post_local, pre_record = pre_rr / record_rr, post_record, local_record: per-record normalised; the -rr models take these five");
            w.WriteString("peaks", "every beat annotation of the record (MIT codes 1-13, 34, 35, 38), classified or not");
            w.WriteEndObject();
            WriteCounts(w, "all", all);
            WriteCounts(w, "train", train);
            WriteCounts(w, "test", test);
            w.WriteStartObject("records");
            foreach (var g in Enumerable.Range(0, all.Count).GroupBy(i => all.Records![i]).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                w.WriteStartObject(g.Key);
                var counts = new long[BeatFormat.Classes];
                foreach (var i in g) counts[all.Labels[i]]++;
                w.WriteNumber("beats", g.Count());
                for (int c = 0; c < BeatFormat.Classes; c++) w.WriteNumber(((BeatClass)c).ToString(), counts[c]);
                w.WriteString("side", train.Records!.Contains(g.Key) ? test.Records!.Contains(g.Key) ? "both" : "train" : test.Records!.Contains(g.Key) ? "test" : "none");
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteStartObject("sources");
            foreach (var record in records)
                foreach (var ext in new[] { "hea", "dat", "atr" })
                {
                    var file = Path.Combine(mitdb, $"{record}.{ext}");
                    if (!File.Exists(file)) continue;
                    using var fs = File.OpenRead(file);
                    w.WriteString(Path.GetFileName(file), Convert.ToHexString(SHA256.HashData(fs)).ToLowerInvariant());
                }
            w.WriteEndObject();
            w.WriteStartObject("seconds");
            foreach (var (k, v) in seconds) w.WriteNumber(k, Math.Round(v, 3));
            w.WriteEndObject();
            w.WriteEndObject();
        }
        File.Move(temp, path, overwrite: true);
    }

    private static void WriteCounts(Utf8JsonWriter w, string name, BeatSet set)
    {
        w.WriteStartObject(name);
        w.WriteNumber("beats", set.Count);
        var counts = set.ClassCounts();
        for (int c = 0; c < BeatFormat.Classes; c++) w.WriteNumber(((BeatClass)c).ToString(), counts[c]);
        w.WriteEndObject();
    }

    /// <summary>A Kaggle file's beats, with the records and RR features of the <c>_rr.csv</c> beside it when there is one.</summary>
    public static BeatSet ReadWithRr(string kaggleCsv)
    {
        return RrFeatures.AttachBesideIfPresent(kaggleCsv, KaggleCsv.Read(kaggleCsv));
    }

    /// <summary>The cached train and test beats when they read and hold the row counts their manifest records; else what is wrong.</summary>
    private static ((BeatSet Train, BeatSet Test)? Beats, string? Problem) ReadCache(string manifest, string trainPath, string testPath)
    {
        try
        {
            long expectedTrain, expectedTest;
            using (var doc = JsonDocument.Parse(File.ReadAllBytes(manifest)))
            {
                expectedTrain = doc.RootElement.GetProperty("train").GetProperty("beats").GetInt64();
                expectedTest = doc.RootElement.GetProperty("test").GetProperty("beats").GetInt64();
            }
            var (train, test) = (ReadWithRr(trainPath), ReadWithRr(testPath));
            if (train.Count != expectedTrain || test.Count != expectedTest)
                return (null, $"{train.Count} + {test.Count} beats, the manifest records {expectedTrain} + {expectedTest}");
            return ((train, test), null);
        }
        catch (Exception e) when (e is DataFormatException or InvalidDataException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return (null, e.Message);
        }
    }

    /// <summary>
    /// The Kaggle files for <paramref name="mitdb"/>, prepared once and kept under <paramref name="cacheRoot"/>
    /// (default <c>$ECG_CACHE</c> or ~/.cache/ecggpu/beats), keyed by the directory, the split, the seed and
    /// the size and time of every record file. A cache that does not read or holds other row counts than
    /// its manifest records (a file cut short) is extracted again.
    /// </summary>
    public static (BeatSet Train, BeatSet Test) LoadCached(string mitdb, SplitKind split, int seed, string? cacheRoot = null, IProgress<string>? progress = null)
    {
        if (!Directory.Exists(mitdb)) throw new DirectoryNotFoundException($"{mitdb}: no such directory (expected MIT-BIH records such as 100.hea, 100.dat, 100.atr)");
        // "rr1": caches written before the RR features files existed are not reused.
        var key = string.Join("|", new[] { "rr1", Path.GetFullPath(mitdb), split.CliName(), seed.ToString(System.Globalization.CultureInfo.InvariantCulture) }
            .Concat(Directory.GetFiles(mitdb).Order(StringComparer.Ordinal).Select(f => $"{Path.GetFileName(f)}:{new FileInfo(f).Length}:{File.GetLastWriteTimeUtc(f).Ticks}")));
        var hash = Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)))[..16].ToLowerInvariant();
        cacheRoot ??= Environment.GetEnvironmentVariable("ECG_CACHE") is { Length: > 0 } env ? env
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "ecggpu", "beats");
        var dir = Path.Combine(cacheRoot, $"mitdb-{split.CliName()}-{seed}-{hash}");
        var manifest = Path.Combine(dir, "manifest.json");
        var (trainPath, testPath) = (Path.Combine(dir, KaggleCsv.TrainFile), Path.Combine(dir, KaggleCsv.TestFile));
        if (new[] { manifest, trainPath, testPath, RrFeatures.PathBeside(trainPath), RrFeatures.PathBeside(testPath) }.All(File.Exists))
        {
            progress?.Report($"reading cached beats from {dir}");
            var (cached, problem) = ReadCache(manifest, trainPath, testPath);
            if (cached is { } beats) return beats;
            progress?.Report($"the cached beats in {dir} do not match their manifest ({problem}); extracting them again");
        }
        var prepared = Run(mitdb, dir, split, seed, progress);
        return (prepared.Train, prepared.Test);
    }
}
