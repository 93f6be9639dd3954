using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace EcgGpu.Data;

/// <summary>
/// The small real data set the repository ships as the default (<c>data/mitbih-sample</c>): beats that
/// <see cref="MitdbPreparation"/> extracts from the 48 MIT-BIH records, split 80/20 stratified by class as
/// <c>ecg prepare</c> does (seed 1), then a stratified sample of each side. Written as the Kaggle files
/// (gzip; numbers as the shortest text that reads back to the same float) with their <c>_rr.csv</c>
/// (records, R peaks, RR features), a <c>manifest.json</c> and the PhysioNet attribution. Everything in
/// it follows from the records, so <c>ecg prepare --sample</c> regenerates it byte for byte.
/// </summary>
public static class MitdbSample
{
    public const int DefaultTrain = 2500, DefaultTest = 1500, DefaultSeed = 1;

    /// <summary>The folder name in the repository and beside the <c>ecg</c> tool.</summary>
    public const string FolderName = "mitbih-sample";

    public const string Attribution =
        "The beats are derived from the MIT-BIH Arrhythmia Database (https://physionet.org/content/mitdb/1.0.0/), " +
        "made available under the Open Data Commons Attribution License v1.0 (https://physionet.org/content/mitdb/view-license/1.0.0/).\n\n" +
        "- Moody GB, Mark RG. The impact of the MIT-BIH Arrhythmia Database. IEEE Eng in Med and Biol 20(3):45-50 (May-June 2001). (PMID: 11446209)\n" +
        "- Goldberger AL, Amaral LAN, Glass L, Hausdorff JM, Ivanov PCh, Mark RG, Mietus JE, Moody GB, Peng C-K, Stanley HE. " +
        "PhysioBank, PhysioToolkit, and PhysioNet: Components of a New Research Resource for Complex Physiologic Signals. " +
        "Circulation 101(23):e215-e220 (2000).\n";

    /// <summary>The shipped sample beside the running program (<c>AppContext.BaseDirectory/data/mitbih-sample</c>), or null when it is not there.</summary>
    public static string? FindShipped()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "data", FolderName);
        return File.Exists(Path.Combine(dir, KaggleCsv.TrainFile + ".gz")) ? dir : null;
    }

    /// <summary>The sample in <paramref name="folder"/> as a data source, described with its origin and licence.</summary>
    public static KaggleFolderSource Source(string folder)
        => new(folder) { Label = "MIT-BIH sample shipped with ecg ({0} train, {1} test beats, stratified by class; PhysioNet, ODC-By 1.0)" };

    /// <summary>Extracts every record of <paramref name="mitdb"/>, splits and samples, and writes the folder <paramref name="outDir"/>; returns the two sides.</summary>
    public static (BeatSet Train, BeatSet Test) Write(string mitdb, string outDir, int trainCount = DefaultTrain, int testCount = DefaultTest,
        int seed = DefaultSeed, IProgress<string>? progress = null)
    {
        if (!Directory.Exists(mitdb)) throw new DirectoryNotFoundException($"{mitdb}: no such directory (expected MIT-BIH records such as 100.hea, 100.dat, 100.atr)");
        var records = Mitdb.Records(mitdb);
        if (records.Count == 0) throw new FileNotFoundException($"{mitdb}: no WFDB header (*.hea) found");
        var parts = new List<BeatSet>();
        foreach (var record in records)
        {
            progress?.Report($"extracting record {record}");
            parts.Add(Mitdb.ExtractBeats(mitdb, record, out _));
        }
        var all = parts.Aggregate(BeatSet.Concat);
        var (fullTrain, fullTest) = Splits.Stratified(all, 0.2, seed);
        var train = Sample(fullTrain, trainCount, seed);
        var test = Sample(fullTest, testCount, seed + 1);

        Directory.CreateDirectory(outDir);
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, set) in new[] { (KaggleCsv.TrainFile, train), (KaggleCsv.TestFile, test) })
        {
            var path = Path.Combine(outDir, name + ".gz");
            progress?.Report($"writing {path} ({set.Count} beats)");
            var text = KaggleText(set);
            WriteGzip(path, text);
            files[name] = Sha256(text);
            var rr = RrFeatures.PathBeside(path);
            RrFeatures.Write(rr, set);
            files[Path.GetFileName(rr)] = Sha256(File.ReadAllBytes(rr));
            // The short number form must read back to the very floats extracted.
            var back = MitdbPreparation.ReadWithRr(path);
            if (!back.Samples.AsSpan().SequenceEqual(set.Samples) || !back.Labels.AsSpan().SequenceEqual(set.Labels))
                throw new InvalidDataException($"{path}: the written beats do not read back to the extracted values");
        }
        WriteText(Path.Combine(outDir, "manifest.json"), Manifest(mitdb, records, seed, all, train, test, files));
        WriteText(Path.Combine(outDir, "README.md"), Readme(train, test, seed));
        return (train, test);
    }

    /// <summary><paramref name="count"/> rows of <paramref name="set"/>, stratified by class (each class in its proportion), in a shuffled order.</summary>
    public static BeatSet Sample(BeatSet set, int count, int seed)
    {
        if (count < BeatFormat.Classes || count > set.Count) throw new ArgumentOutOfRangeException(nameof(count), count, $"a sample of {BeatFormat.Classes}..{set.Count} beats");
        var (_, chosen) = Splits.StratifiedIndices(set.Labels, (double)count / set.Count, seed);
        var order = chosen.Order().ToArray();
        new Random(seed).Shuffle(order);
        return set.Take(order);
    }

    /// <summary>The Kaggle layout (samples then the label, no header) with every value as the shortest text that reads back to the same float.</summary>
    public static string KaggleText(BeatSet beats)
    {
        var sb = new StringBuilder(beats.Count * beats.Length * 8);
        for (int r = 0; r < beats.Count; r++)
        {
            foreach (var v in beats.Row(r)) sb.Append(v.ToString("R", CultureInfo.InvariantCulture)).Append(',');
            sb.Append(beats.Labels[r].ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        return sb.ToString();
    }

    private static void WriteGzip(string path, string text)
    {
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            using (var file = File.Create(temp))
            using (var gzip = new GZipStream(file, CompressionLevel.SmallestSize))
                gzip.Write(Encoding.UTF8.GetBytes(text));
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private static void WriteText(string path, string text)
    {
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temp, text, new UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
    }

    private static string Sha256(string text) => Sha256(Encoding.UTF8.GetBytes(text));
    private static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    private static string Manifest(string mitdb, IReadOnlyList<string> records, int seed, BeatSet all, BeatSet train, BeatSet test, SortedDictionary<string, string> files)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("source", "MIT-BIH Arrhythmia Database 1.0.0, all 48 records (https://physionet.org/content/mitdb/1.0.0/), ODC-By 1.0");
            w.WriteString("command", $"ecg prepare --mitdb DIR --sample --seed {seed} --out data/{FolderName}");
            w.WriteString("method", "beats extracted as ecg prepare does (MLII lead, window from the R peak over 1.2 x the median RR within 5 s, resampled to 125 Hz, "
                + "min-max normalised, zero-padded to 187); split 80/20 stratified by class (seed " + seed.ToString(CultureInfo.InvariantCulture)
                + "); each side sampled stratified by class and shuffled");
            w.WriteNumber("beats_extracted", all.Count);
            foreach (var (name, set) in new[] { ("train", train), ("test", test) })
            {
                w.WriteStartObject(name);
                w.WriteNumber("beats", set.Count);
                var counts = set.ClassCounts();
                for (int c = 0; c < BeatFormat.Classes; c++) w.WriteNumber(((BeatClass)c).ToString(), counts[c]);
                w.WriteNumber("records", set.Records!.Distinct().Count());
                w.WriteEndObject();
            }
            w.WriteStartObject("sha256_uncompressed");
            foreach (var (file, hash) in files) w.WriteString(file, hash);
            w.WriteEndObject();
            w.WriteStartObject("sources");
            foreach (var record in records)
                foreach (var ext in new[] { "hea", "dat", "atr" })
                {
                    var file = Path.Combine(mitdb, $"{record}.{ext}");
                    if (File.Exists(file)) w.WriteString(Path.GetFileName(file), Sha256(File.ReadAllBytes(file)));
                }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static string Readme(BeatSet train, BeatSet test, int seed)
    {
        string Counts(BeatSet s) => string.Join(", ", s.ClassCounts().Select((n, c) => $"{(BeatClass)c} {n}"));
        return $"""
            # MIT-BIH beat sample

            The default data of `ecg`: {train.Count} training and {test.Count} test heartbeats from the MIT-BIH Arrhythmia
            Database, in the Kaggle layout (187 samples at 125 Hz in [0, 1], then the AAMI class 0 N, 1 S, 2 V, 3 F, 4 Q),
            with the record, the R-peak sample and the RR-interval features of every beat in the `_rr.csv` files.

            - train: {Counts(train)}
            - test: {Counts(test)}

            All 48 records were extracted, split 80/20 stratified by class (seed {seed}) as `ecg prepare` does, and each side
            sampled stratified by class. A patient's beats appear on both sides: use `--mitdb` with `--split inter-patient`
            for the clinically honest evaluation. `manifest.json` lists the SHA-256 of every source file and of the
            uncompressed data. Regenerate with `ecg prepare --mitdb DIR --sample --out data/{FolderName}`.

            ## Source and licence

            {Attribution}
            """.Replace("\r\n", "\n") + "\n";
    }
}
