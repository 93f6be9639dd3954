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

    /// <summary>Every record name in <paramref name="directory"/> (by its header), sorted; a signal or annotation file without its header is refused.</summary>
    public static IReadOnlyList<string> Records(string directory)
    {
        var records = Directory.GetFiles(directory, "*.hea").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal).ToList();
        var orphans = Directory.GetFiles(directory).Where(f => Path.GetExtension(f) is ".dat" or ".atr")
            .Where(f => !File.Exists(Path.ChangeExtension(f, ".hea"))).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        if (orphans.Count > 0)
            throw new FileNotFoundException($"{directory}: {string.Join(", ", orphans)} without a header ({string.Join(", ", orphans.Select(o => Path.ChangeExtension(o, ".hea")).Distinct())}); add it or remove them");
        return records;
    }

    /// <summary>
    /// A record's header; a garbled line, a rate or signal count that is not positive, a signal file
    /// outside the record's folder, or a record name other than the file's is refused naming the file,
    /// the line and the field.
    /// </summary>
    public static WfdbHeader ReadHeader(string directory, string record)
    {
        var path = Path.Combine(directory, record + ".hea");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such header (record {record})", path);
        var lines = File.ReadAllLines(path).Select((l, i) => (Number: i + 1, Text: l.Trim())).Where(l => l.Text.Length > 0 && !l.Text.StartsWith('#')).ToList();
        if (lines.Count == 0) throw new InvalidDataException($"{path}: empty header");
        var (first, headText) = lines[0];
        var head = headText.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (head.Length < 4) throw new InvalidDataException($"{path}, line {first}: needs record name, signals, sampling frequency and samples; found '{headText}'");
        string name = head[0].Split('/')[0];
        if (name != record) throw new InvalidDataException($"{path}, line {first}: record name '{name}' differs from the file name '{record}'");
        int signals = Whole(path, first, "signals", head[1]);
        double frequency = Real(path, first, "sampling frequency", head[2].Split('/', '(')[0]);
        int samples = Whole(path, first, "samples", head[3]);
        if (signals < 1) throw new InvalidDataException($"{path}, line {first}: {signals} signals; a record needs at least one");
        if (!(frequency > 0)) throw new InvalidDataException($"{path}, line {first}: sampling frequency {head[2]}; it must be above 0");
        if (samples < 1) throw new InvalidDataException($"{path}, line {first}: {samples} samples; the record must declare its length");
        if (lines.Count < 1 + signals) throw new InvalidDataException($"{path}: declares {signals} signals but has {lines.Count - 1} signal lines");
        var info = new List<WfdbSignal>();
        for (int s = 0; s < signals; s++)
        {
            var (number, text) = lines[1 + s];
            var f = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 7) throw new InvalidDataException($"{path}, line {number}: signal {s} has {f.Length} fields, needs 7 or more");
            if (f[0] != Path.GetFileName(f[0])) throw new InvalidDataException($"{path}, line {number}: signal file '{f[0]}' is not in the record's folder");
            // "212", "212x2", "16+24": the format is the leading number.
            var format = new string(f[1].TakeWhile(char.IsAsciiDigit).ToArray());
            var gain = Real(path, number, "gain", f[2].Split('(', '/')[0]);
            info.Add(new WfdbSignal(f[0], Whole(path, number, "format", format.Length > 0 ? format : f[1]), gain, Whole(path, number, "baseline", f[4]),
                Whole(path, number, "checksum", f[6]), f.Length > 8 ? string.Join(' ', f[8..]) : ""));
        }
        return new WfdbHeader(head[0], signals, frequency, samples, info);
    }

    private static int Whole(string path, int line, string field, string text)
        => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
            : throw new InvalidDataException($"{path}, line {line}: {field} '{text}' is not a whole number");

    private static double Real(string path, int line, string field, string text)
        => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v
            : throw new InvalidDataException($"{path}, line {line}: {field} '{text}' is not a number");

    /// <summary>All signals of a two-signal format-212 record as raw ADC units, [signal][sample]; checksums verified.</summary>
    public static int[][] ReadSignals(string directory, WfdbHeader header)
    {
        var file = header.SignalInfo[0].File;
        var hea = Path.Combine(directory, header.Record.Split('/')[0] + ".hea");
        if (header.SignalInfo.FirstOrDefault(s => s.Format != 212) is { } other)
            throw new InvalidDataException($"{hea}: signal '{other.Description}' is in format {other.Format}; only format 212 (the MIT-BIH format) is read");
        if (header.Signals != 2 || header.SignalInfo.Any(s => s.File != file))
            throw new InvalidDataException($"{hea}: {header.Signals} signal(s) in {header.SignalInfo.Select(s => s.File).Distinct().Count()} file(s); only two signals in one format-212 file (as MIT-BIH) are read");
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

    /// <summary>Fewest beat annotations a minute that a record may have before its annotation file is taken for damaged.</summary>
    public const int MinBeatsPerMinute = 10;

    /// <summary>Largest MIT annotation code in use (WFDB's ACMAX); 59–63 are the SKIP, NUM, SUB, CHN and AUX words.</summary>
    public const int MaxAnnotationCode = 49;

    /// <summary>
    /// Beat and non-beat annotations of a MIT-format annotation file (e.g. <c>.atr</c>). The stream's
    /// structure is checked, so a damaged file is refused naming the byte offset rather than read as fewer
    /// beats: whole 16-bit words, the end marker last, AUX and SKIP words within the file, known codes, and
    /// (given the record's <paramref name="samples"/>) every annotation within the record.
    /// </summary>
    public static List<Annotation> ReadAnnotations(string directory, string record, string extension = "atr", int? samples = null)
    {
        var path = Path.Combine(directory, $"{record}.{extension}");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such annotation file (record {record})", path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0) throw new InvalidDataException($"{path}: empty; an annotation file ends with an end marker at least");
        if (bytes.Length % 2 != 0) throw new InvalidDataException($"{path}: {bytes.Length} bytes, not whole 16-bit words; the file is cut at byte {bytes.Length}");
        var result = new List<Annotation>();
        long time = 0;
        int pos = 0;
        while (pos + 1 < bytes.Length)
        {
            int at = pos;
            int word = bytes[pos] | (bytes[pos + 1] << 8);
            pos += 2;
            int code = word >> 10, value = word & 0x3FF;
            switch (code)
            {
                case 0 when value == 0: // end of file: nothing may follow
                    if (pos != bytes.Length) throw new InvalidDataException($"{path}: end marker at byte {at}, but {bytes.Length - pos} more bytes follow (zeroed or damaged data)");
                    return result;
                case 59: // SKIP: a 32-bit interval follows, high 16 bits first
                    if (pos + 4 > bytes.Length) throw new InvalidDataException($"{path}: SKIP at byte {at} is cut short");
                    int hi = bytes[pos] | (bytes[pos + 1] << 8), lo = bytes[pos + 2] | (bytes[pos + 3] << 8);
                    time += (hi << 16) | lo;
                    pos += 4;
                    if (time < 0) throw new InvalidDataException($"{path}: SKIP at byte {at} moves before the start of the record");
                    break;
                case 60 or 61 or 62: break; // NUM, SUB, CHN modify the previous annotation
                case 63: // AUX: `value` bytes of text, padded to even
                    if (pos + value > bytes.Length) throw new InvalidDataException($"{path}: AUX at byte {at} claims {value} bytes, only {bytes.Length - pos} remain");
                    pos += value + (value & 1);
                    break;
                case > MaxAnnotationCode:
                    throw new InvalidDataException($"{path}: unknown annotation code {code} at byte {at}");
                default:
                    time += value;
                    if (samples is int n && time > n) throw new InvalidDataException($"{path}: annotation at byte {at} lies at sample {time}, past the record's {n} samples");
                    result.Add(new Annotation((int)time, code));
                    break;
            }
        }
        throw new InvalidDataException($"{path}: no end marker; the file is cut short after {result.Count} annotations (byte {bytes.Length})");
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
        var annotations = ReadAnnotations(directory, record, samples: header.Samples);
        // A damaged file that still parses gives too few beats: below 10 a minute no ECG record is plausible.
        double minutes = header.Samples / header.Frequency / 60;
        int beatCount = annotations.Count(a => IsBeatCode(a.Code));
        if (beatCount < Math.Max(2, MinBeatsPerMinute * minutes) || signal.Length < 2)
            throw new InvalidDataException($"{Path.Combine(directory, record + ".atr")}: {beatCount} beat annotations for {minutes:F1} minutes of record (at least 2, and {MinBeatsPerMinute} a minute); the file does not belong to the record or is damaged");
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
