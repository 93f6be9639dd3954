using System.Globalization;

namespace EcgGpu.Data;

/// <summary>A record's header: sampling rate, length, and each signal's file, format, gain, checksum and name.</summary>
public sealed record WfdbHeader(string Record, int Signals, double Frequency, int Samples, IReadOnlyList<WfdbSignal> SignalInfo);

public sealed record WfdbSignal(string File, int Format, double Gain, int Baseline, int Checksum, string Description);

/// <summary>One annotation: sample index and MIT code (1 N, 2 L, 5 V, …).</summary>
public readonly record struct Annotation(int Sample, int Code);

/// <summary>
/// Reads MIT-BIH Arrhythmia Database records (PhysioNet WFDB): <c>.hea</c> headers (CRLF or LF),
/// format-212 signals checked against the header's checksums, and MIT-format <c>.atr</c> annotations
/// with SKIP, NUM, SUB, CHN and AUX words. Errors name the file.
/// </summary>
public static class Mitdb
{
    /// <summary>The de Chazal et al. 2004 inter-patient split; the paced records 102, 104, 107, 217 are in neither.</summary>
    public static IReadOnlyList<string> DS1 { get; } = ["101", "106", "108", "109", "112", "114", "115", "116", "118", "119", "122", "124", "201", "203", "205", "207", "208", "209", "215", "220", "223", "230"];
    public static IReadOnlyList<string> DS2 { get; } = ["100", "103", "105", "111", "113", "117", "121", "123", "200", "202", "210", "212", "213", "214", "219", "221", "222", "228", "231", "232", "233", "234"];

    /// <summary><c>$ECG_MITDB</c>, else ../shared/data/mitdb from the working directory or a parent; null when absent.</summary>
    public static string? FindDirectory()
    {
        var env = Environment.GetEnvironmentVariable("ECG_MITDB");
        if (!string.IsNullOrWhiteSpace(env)) return Directory.Exists(env) ? env : null;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared", "data", "mitdb");
            if (File.Exists(Path.Combine(candidate, "100.hea"))) return Path.GetFullPath(candidate);
        }
        return null;
    }

    /// <summary>Every record name in <paramref name="directory"/> (by its header), sorted.</summary>
    public static IReadOnlyList<string> Records(string directory)
        => Directory.GetFiles(directory, "*.hea").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal).ToList();

    public static WfdbHeader ReadHeader(string directory, string record)
    {
        var path = Path.Combine(directory, record + ".hea");
        var lines = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        if (lines.Count == 0) throw new InvalidDataException($"{path}: empty header");
        var head = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (head.Length < 4) throw new InvalidDataException($"{path}: line 1 needs record, signals, frequency and samples");
        int signals = int.Parse(head[1], CultureInfo.InvariantCulture);
        double frequency = double.Parse(head[2].Split('/')[0], CultureInfo.InvariantCulture);
        int samples = int.Parse(head[3], CultureInfo.InvariantCulture);
        if (lines.Count < 1 + signals) throw new InvalidDataException($"{path}: declares {signals} signals but has {lines.Count - 1} signal lines");
        var info = new List<WfdbSignal>();
        for (int s = 0; s < signals; s++)
        {
            var f = lines[1 + s].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 7) throw new InvalidDataException($"{path}: signal line {s + 1} has {f.Length} fields, needs 7 or more");
            var gain = double.Parse(f[2].Split('(', '/')[0], CultureInfo.InvariantCulture);
            info.Add(new WfdbSignal(f[0], int.Parse(f[1], CultureInfo.InvariantCulture), gain, int.Parse(f[4], CultureInfo.InvariantCulture),
                int.Parse(f[6], CultureInfo.InvariantCulture), f.Length > 8 ? string.Join(' ', f[8..]) : ""));
        }
        return new WfdbHeader(head[0], signals, frequency, samples, info);
    }

    /// <summary>All signals of a two-signal format-212 record as raw ADC units, [signal][sample]; checksums verified.</summary>
    public static int[][] ReadSignals(string directory, WfdbHeader header)
    {
        var file = header.SignalInfo[0].File;
        if (header.SignalInfo.Any(s => s.Format != 212 || s.File != file) || header.Signals != 2)
            throw new InvalidDataException($"{header.Record}: only two signals in one format-212 file are supported");
        var path = Path.Combine(directory, file);
        var bytes = File.ReadAllBytes(path);
        int n = header.Samples;
        if (bytes.Length < n * 3L) throw new InvalidDataException($"{path}: {bytes.Length} bytes hold fewer than the {n} samples the header declares");
        var a = new int[n];
        var b = new int[n];
        for (int i = 0; i < n; i++)
        {
            int b0 = bytes[3 * i], b1 = bytes[3 * i + 1], b2 = bytes[3 * i + 2];
            int s0 = b0 | ((b1 & 0x0F) << 8);
            int s1 = b2 | ((b1 & 0xF0) << 4);
            a[i] = s0 >= 2048 ? s0 - 4096 : s0; // 12-bit two's complement
            b[i] = s1 >= 2048 ? s1 - 4096 : s1;
        }
        var signals = new[] { a, b };
        for (int s = 0; s < 2; s++)
        {
            short sum = 0;
            foreach (var v in signals[s]) sum = unchecked((short)(sum + v));
            if (sum != header.SignalInfo[s].Checksum)
                throw new InvalidDataException($"{path}: signal {s} ({header.SignalInfo[s].Description}) has checksum {sum}, the header says {header.SignalInfo[s].Checksum}");
        }
        return signals;
    }

    /// <summary>Beat and non-beat annotations of a MIT-format annotation file (e.g. <c>.atr</c>).</summary>
    public static List<Annotation> ReadAnnotations(string directory, string record, string extension = "atr")
    {
        var path = Path.Combine(directory, $"{record}.{extension}");
        var bytes = File.ReadAllBytes(path);
        var result = new List<Annotation>();
        long time = 0;
        int pos = 0;
        while (pos + 1 < bytes.Length)
        {
            int word = bytes[pos] | (bytes[pos + 1] << 8);
            pos += 2;
            int code = word >> 10, value = word & 0x3FF;
            switch (code)
            {
                case 0 when value == 0: return result; // end of file
                case 59: // SKIP: a 32-bit interval follows, high 16 bits first
                    if (pos + 4 > bytes.Length) throw new InvalidDataException($"{path}: SKIP at byte {pos - 2} is cut short");
                    int hi = bytes[pos] | (bytes[pos + 1] << 8), lo = bytes[pos + 2] | (bytes[pos + 3] << 8);
                    time += (hi << 16) | lo;
                    pos += 4;
                    break;
                case 60 or 61 or 62: break; // NUM, SUB, CHN modify the previous annotation
                case 63: pos += value + (value & 1); break; // AUX: `value` bytes of text, padded to even
                default:
                    time += value;
                    result.Add(new Annotation((int)time, code));
                    break;
            }
        }
        return result;
    }

    /// <summary>Whether an MIT code annotates a beat (an R peak), classified or not: N L R a V F J A S E j / Q e f n (1–13, 34, 35, 38).</summary>
    public static bool IsBeatCode(int code) => code is >= 1 and <= 13 or 34 or 35 or 38;

    /// <summary>The AAMI class of an MIT beat code, or null for non-beat annotations and unclassified beats.</summary>
    public static BeatClass? AamiClass(int code) => code switch
    {
        1 or 2 or 3 or 34 or 11 => BeatClass.N, // N L R e j
        8 or 4 or 7 or 9 => BeatClass.S,        // A a J S
        5 or 10 => BeatClass.V,                 // V E
        6 => BeatClass.F,                       // F
        12 or 38 or 13 => BeatClass.Q,          // / f Q
        _ => null,
    };

    /// <summary>
    /// Kaggle-format beats of one record: lead MLII (signal 1 in record 114; records 102 and 104 have
    /// no MLII and use signal 0), resampled to 125 Hz, a window from each annotated R peak of 1.2 × the
    /// median R-R interval of the surrounding 10 s, min-max normalised, zero-padded to 187.
    /// </summary>
    public static BeatSet ExtractBeats(string directory, string record, out int[] sampleIndices)
    {
        var header = ReadHeader(directory, record);
        var signal = ReadSignals(directory, header)[record == "114" ? 1 : 0];
        var annotations = ReadAnnotations(directory, record);
        const double target = BeatFormat.SampleRate;
        double ratio = header.Frequency / target;
        int length = (int)(signal.Length / ratio);
        var resampled = new double[length];
        for (int i = 0; i < length; i++)
        {
            double t = i * ratio;
            int k = Math.Min((int)t, signal.Length - 2);
            double f = t - k;
            resampled[i] = signal[k] * (1 - f) + signal[k + 1] * f;
        }
        // Every beat annotation is an R peak; the classified beats are a subset, kept with their position in the peaks.
        var peakAnnotations = annotations.Where(a => IsBeatCode(a.Code)).ToList();
        var beats = new List<(Annotation Beat, int Position)>();
        for (int i = 0; i < peakAnnotations.Count; i++)
            if (AamiClass(peakAnnotations[i].Code) is not null) beats.Add((peakAnnotations[i], i));
        var peaks = peakAnnotations.Select(a => a.Sample / ratio).ToArray();
        var samples = new List<float>();
        var labels = new List<int>();
        var indices = new List<int>();
        var positions = new List<int>();
        Span<float> row = stackalloc float[BeatFormat.Length];
        foreach (var (beat, position) in beats)
        {
            double r = beat.Sample / ratio;
            // Median R-R over the beats within ±5 s.
            var rr = new List<double>();
            for (int i = 1; i < peaks.Length; i++)
                if (Math.Abs(peaks[i] - r) <= 5 * target) rr.Add(peaks[i] - peaks[i - 1]);
            if (rr.Count == 0) continue;
            rr.Sort();
            double median = rr[rr.Count / 2];
            int start = (int)Math.Round(r);
            int span = Math.Min(BeatFormat.Length, (int)Math.Round(1.2 * median));
            if (start < 0 || start + span > length || span < 8) continue;
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            for (int i = 0; i < span; i++) { min = Math.Min(min, resampled[start + i]); max = Math.Max(max, resampled[start + i]); }
            double range = max > min ? max - min : 1;
            row.Clear();
            for (int i = 0; i < span; i++) row[i] = (float)((resampled[start + i] - min) / range);
            foreach (var v in row) samples.Add(v);
            labels.Add((int)AamiClass(beat.Code)!.Value);
            indices.Add(beat.Sample);
            positions.Add(position);
        }
        sampleIndices = indices.ToArray();
        return new BeatSet(samples.ToArray(), labels.ToArray())
        {
            Records = Enumerable.Repeat(record, labels.Count).ToArray(),
            SampleIndices = sampleIndices,
            Rr = RrFeatures.Compute(peakAnnotations.Select(a => a.Sample).ToArray(), positions, header.Frequency),
        };
    }

    /// <summary>Beats of every record in <paramref name="records"/> (all of them when null), with their record names.</summary>
    public static (BeatSet Beats, string[] Records) ExtractAll(string directory, IEnumerable<string>? records = null)
    {
        var parts = (records ?? Records(directory)).Select(record => ExtractBeats(directory, record, out _)).ToList();
        if (parts.Count == 0) throw new FileNotFoundException($"{directory}: no records to extract");
        var all = parts.Aggregate(BeatSet.Concat);
        return (all, all.Records!);
    }
}
