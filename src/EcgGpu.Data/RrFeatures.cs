using System.Globalization;
using System.Text;

namespace EcgGpu.Data;

/// <summary>
/// The RR-interval features of the inter-patient literature (de Chazal et al. 2004), per beat. A
/// premature beat is defined by its timing, which the 187-sample window cut at the R peak does not carry.
/// Four intervals in seconds — pre-RR (from the previous R peak), post-RR (to the next), the local
/// average (the 10 RR intervals around the beat) and the record's average — and five ratios that
/// normalise them per record, so that a patient's own heart rate does not leak into the model:
/// pre/local, post/local, pre/record, post/record and local/record. The models with the suffix
/// <c>-rr</c> take the five ratios (<see cref="ModelColumns"/>).
/// </summary>
public static class RrFeatures
{
    public static IReadOnlyList<string> Names { get; } =
        ["pre_rr", "post_rr", "local_rr", "record_rr", "pre_local", "post_local", "pre_record", "post_record", "local_record"];

    /// <summary>Values per beat in <see cref="BeatSet.Rr"/>.</summary>
    public const int Count = 9;

    /// <summary>Columns of <see cref="Names"/> that the <c>-rr</c> models take: the per-record normalised ratios.</summary>
    public static IReadOnlyList<int> ModelColumns { get; } = [4, 5, 6, 7, 8];

    /// <summary>RR intervals on each side that make up the local average (5 + 5 = 10 intervals).</summary>
    public const int LocalHalfWindow = 5;

    /// <summary>
    /// Features of the beats at positions <paramref name="beatPositions"/> of the R-peak sequence
    /// <paramref name="peaks"/> (sample indices of every beat annotation of one record, ascending) at
    /// <paramref name="frequency"/> Hz. The first beat has no pre-RR and the last no post-RR; each takes the
    /// other's value, so no beat is dropped.
    /// </summary>
    public static float[] Compute(IReadOnlyList<int> peaks, IReadOnlyList<int> beatPositions, double frequency)
    {
        if (frequency <= 0) throw new ArgumentOutOfRangeException(nameof(frequency), $"sampling rate {frequency} Hz is not positive");
        if (peaks.Count < 2) throw new ArgumentException($"a record needs at least two R peaks for RR intervals; it has {peaks.Count}", nameof(peaks));
        int intervals = peaks.Count - 1;
        var rr = new double[intervals]; // rr[i]: peak i to peak i + 1, seconds
        double total = 0;
        for (int i = 0; i < intervals; i++)
        {
            rr[i] = (peaks[i + 1] - peaks[i]) / frequency;
            if (rr[i] <= 0) throw new ArgumentException($"R peaks are not ascending at {peaks[i]} → {peaks[i + 1]}", nameof(peaks));
            total += rr[i];
        }
        double recordRr = total / intervals;
        var result = new float[beatPositions.Count * Count];
        for (int b = 0; b < beatPositions.Count; b++)
        {
            int j = beatPositions[b];
            if ((uint)j >= (uint)peaks.Count) throw new ArgumentOutOfRangeException(nameof(beatPositions), $"beat position {j} is not in 0..{peaks.Count - 1}");
            double pre = j > 0 ? rr[j - 1] : rr[j];
            double post = j < intervals ? rr[j] : rr[j - 1];
            // Intervals j-5 .. j+4 (between peaks j-5 and j+5), clipped to the record.
            int from = Math.Max(0, j - LocalHalfWindow), to = Math.Min(intervals, j + LocalHalfWindow);
            double local = 0;
            for (int i = from; i < to; i++) local += rr[i];
            local /= to - from;
            var row = result.AsSpan(b * Count, Count);
            row[0] = (float)pre;
            row[1] = (float)post;
            row[2] = (float)local;
            row[3] = (float)recordRr;
            row[4] = (float)(pre / local);
            row[5] = (float)(post / local);
            row[6] = (float)(pre / recordRr);
            row[7] = (float)(post / recordRr);
            row[8] = (float)(local / recordRr);
        }
        return result;
    }

    /// <summary>The file beside a Kaggle CSV that holds its rows' records and RR features: mitbih_train.csv → mitbih_train_rr.csv.</summary>
    public static string PathBeside(string kaggleCsv)
    {
        var name = Path.GetFileName(kaggleCsv);
        if (name.EndsWith(".gz", StringComparison.Ordinal)) name = name[..^3];
        var stem = name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? name[..^4] : name;
        return Path.Combine(Path.GetDirectoryName(kaggleCsv) ?? "", stem + "_rr.csv");
    }

    /// <summary>Writes record, R-peak sample and the <see cref="Count"/> features of every row, in the rows' order (temp file, then rename).</summary>
    public static void Write(string path, BeatSet beats)
    {
        if (beats.Rr is null || beats.Records is null || beats.SampleIndices is null)
            throw new ArgumentException("the beats carry no RR features, records or R-peak samples (they come from raw records)", nameof(beats));
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            using (var w = new StreamWriter(temp, false, new UTF8Encoding(false)))
            {
                w.NewLine = "\n";
                w.WriteLine("record,sample," + string.Join(",", Names));
                var line = new StringBuilder();
                for (int r = 0; r < beats.Count; r++)
                {
                    line.Clear().Append(beats.Records[r]).Append(',').Append(beats.SampleIndices[r].ToString(CultureInfo.InvariantCulture));
                    for (int k = 0; k < Count; k++) line.Append(',').Append(beats.Rr[r * Count + k].ToString("R", CultureInfo.InvariantCulture));
                    w.WriteLine(line);
                }
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>
    /// The beats with the records, R-peak samples and RR features of <paramref name="path"/> attached.
    /// The file must have one row per beat; every malformed field is refused with its line and column.
    /// </summary>
    public static BeatSet Attach(string path, BeatSet beats)
    {
        var lines = File.ReadAllLines(path);
        var expectedHeader = "record,sample," + string.Join(",", Names);
        if (lines.Length == 0 || lines[0].Trim() != expectedHeader)
            throw new DataFormatException(path, 1, 0, $"header must be '{expectedHeader}'");
        int rows = lines.Length - 1;
        while (rows > 0 && lines[rows].Length == 0) rows--;
        if (rows != beats.Count) throw new DataFormatException(path, 0, 0, $"{rows} rows of RR features for {beats.Count} beats");
        var records = new string[rows];
        var samples = new int[rows];
        var rr = new float[rows * Count];
        for (int r = 0; r < rows; r++)
        {
            var fields = lines[r + 1].Split(',');
            if (fields.Length != Count + 2) throw new DataFormatException(path, r + 2, 0, $"{fields.Length} fields, expected {Count + 2}");
            records[r] = fields[0].Length > 0 ? fields[0] : throw new DataFormatException(path, r + 2, 1, "empty record name");
            if (!int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out samples[r]) || samples[r] < 0)
                throw new DataFormatException(path, r + 2, 2, $"'{fields[1]}' is not a sample index");
            for (int k = 0; k < Count; k++)
            {
                if (!float.TryParse(fields[k + 2], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !float.IsFinite(v) || v <= 0 || v > 1e3f)
                    throw new DataFormatException(path, r + 2, k + 3, $"{Names[k]} '{fields[k + 2]}' is not a positive finite RR value");
                rr[r * Count + k] = v;
            }
        }
        return beats with { Records = records, SampleIndices = samples, Rr = rr };
    }

    /// <summary>The beats with the features of the <c>_rr.csv</c> beside <paramref name="kaggleCsv"/> attached, when there is one; else as they are.</summary>
    public static BeatSet AttachBesideIfPresent(string kaggleCsv, BeatSet beats)
        => PathBeside(kaggleCsv) is var rr && File.Exists(rr) ? Attach(rr, beats) : beats;

    /// <summary>The model columns (<see cref="ModelColumns"/>) of every row, row-major: what a <c>-rr</c> model's second input takes.</summary>
    public static float[] ModelInput(BeatSet beats)
    {
        if (beats.Rr is null) throw new ArgumentException("the beats carry no RR features: prepare them from raw records (ecg prepare --mitdb) or load the _rr.csv beside the Kaggle file", nameof(beats));
        var result = new float[beats.Count * ModelColumns.Count];
        for (int r = 0; r < beats.Count; r++)
            for (int k = 0; k < ModelColumns.Count; k++) result[r * ModelColumns.Count + k] = beats.Rr[r * Count + ModelColumns[k]];
        return result;
    }
}
