using System.Globalization;
using System.IO.Compression;
using System.Text;
using CsvHelper;

namespace EcgGpu.Data;

/// <summary>A data file that cannot be read as beats: names the file and, where it applies, the line and column (both 1-based).</summary>
public sealed class DataFormatException(string file, long line, int column, string message)
    : Exception(line > 0 ? $"{file}, line {line}{(column > 0 ? $", column {column}" : "")}: {message}" : $"{file}: {message}")
{
    public string File { get; } = file;
    public long Line { get; } = line;
    public int Column { get; } = column;
}

/// <summary>
/// The Kaggle heartbeat CSV files (mitbih_train.csv, mitbih_test.csv): one beat per row, the samples
/// then the class label as the last column, no header, numbers as numpy's <c>%.18e</c>. Reading also
/// takes <c>.csv.gz</c>, a header row, and pandas' export with an index column in front.
/// Samples must lie in [0, 1] (the files are min-max normalised per beat; <see cref="SampleSlack"/> of
/// rounding is allowed): anything else is refused with its line and column rather than fed to a model
/// trained on 0..1, where a value such as 1e30 overflows to NaN. A gzip file is read to its end and its
/// trailer (CRC-32 and length) checked, so a cut or corrupted file is never taken for a shorter one.
/// </summary>
public static class KaggleCsv
{
    public const string TrainFile = "mitbih_train.csv";
    public const string TestFile = "mitbih_test.csv";

    /// <summary>How far outside [0, 1] a sample may lie (rounding by other writers) before it is refused.</summary>
    public const double SampleSlack = 1e-6;

    /// <summary>The file in <paramref name="directory"/> named <paramref name="name"/> or <paramref name="name"/>.gz, or null.</summary>
    public static string? Find(string directory, string name)
    {
        foreach (var candidate in new[] { name, name + ".gz" })
        {
            var path = Path.Combine(directory, candidate);
            if (System.IO.File.Exists(path) || Directory.Exists(path)) return path;   // a folder is found, to be refused by name
        }
        return null;
    }

    /// <summary>Reads beats of <paramref name="length"/> samples each; every malformed row is refused with its line and column.</summary>
    public static BeatSet Read(string path, int length = BeatFormat.Length) => Read(path, length, labelsRequired: true);

    /// <summary>
    /// Reads beats whose rows may lack the label column (input to prediction): rows of
    /// <paramref name="length"/> values are unlabelled (label −1), rows of one more carry the label.
    /// </summary>
    public static BeatSet ReadForPrediction(string path, int length = BeatFormat.Length) => Read(path, length, labelsRequired: false);

    private static BeatSet Read(string path, int length, bool labelsRequired)
    {
        if (Directory.Exists(path)) throw new DataFormatException(path, 0, 0, "is a folder, not a CSV file");
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
        using var stream = OpenMaybeGzip(path);
        try { return Parse(stream, path, length, labelsRequired); }
        catch (DataFormatException) when (stream is CheckedGzipStream gzip)
        {
            // A row cut short may be the symptom of a cut gzip file: say so rather than blame the row.
            gzip.ReadToEndAndCheck();
            throw;
        }
    }

    private static BeatSet Parse(Stream stream, string path, int length, bool labelsRequired)
    {
        var options = new CsvReaderOptions
        {
            HasHeader = false, Separator = ',', TrackLineNumbers = true, SkipEmptyLines = true,
            FieldCountMismatch = CsvFieldCountHandling.Allow, FormatProvider = CultureInfo.InvariantCulture,
        };
        using var csv = CsvReader.Create(stream, options, true);   // left open: a cut gzip is checked after a bad row
        var samples = new List<float>(1 << 20);
        var labels = new List<int>();
        string[]? columnNames = null;
        bool? indexColumn = null;
        bool labelled = true;
        while (csv.Read())
        {
            long line = csv.LineNumber;
            int fields = csv.FieldCount;
            if (indexColumn is null)
            {
                // The first record decides: an index column when there is one field too many, a header when
                // most fields are not numbers or they count 0, 1, 2, ... (pandas' column numbers).
                int text = Enumerable.Range(0, fields).Count(i => !double.TryParse(csv.GetSpan(i), NumberStyles.Float, CultureInfo.InvariantCulture, out _));
                int start = csv.GetSpan(0).Length == 0 ? 1 : 0;
                bool counting = Enumerable.Range(start, fields - start).All(i => csv.GetString(i) == (i - start).ToString(CultureInfo.InvariantCulture));
                bool header = text > fields / 2 || counting;
                if (!labelsRequired && fields == length) labelled = false;
                else if (fields != length + 1 && fields != length + 2)
                    throw new DataFormatException(path, line, 0, $"{fields} columns; a Kaggle beat row has {length + 1} ({length} samples and the label), or {length + 2} with an index column{(labelsRequired ? "" : $", or {length} without a label")}");
                indexColumn = fields == length + 2;
                if (header)
                {
                    int skip = indexColumn.Value ? 1 : 0;
                    columnNames = Enumerable.Range(skip, length).Select(csv.GetString).ToArray();
                    continue;
                }
            }
            int first = indexColumn.Value ? 1 : 0;
            int expected = length + first + (labelled ? 1 : 0);
            if (fields != expected)
                throw new DataFormatException(path, line, 0, $"{fields} columns, expected {expected} as in the rows before");
            for (int i = 0; i < length; i++) samples.Add(Sample(csv, path, line, first + i));
            if (!labelled) { labels.Add(-1); continue; }
            double label = Number(csv, path, line, first + length);
            if (label != Math.Floor(label) || label < 0 || label >= BeatFormat.Classes)
                throw new DataFormatException(path, line, first + length + 1, $"label '{csv.GetString(first + length)}' is not a whole class 0-{BeatFormat.Classes - 1}");
            labels.Add((int)label);
        }
        if (stream is CheckedGzipStream gz) gz.ReadToEndAndCheck();
        if (labels.Count == 0) throw new DataFormatException(path, 0, 0, "no beat rows (the file is empty or holds only a header)");
        var set = new BeatSet(samples.ToArray(), labels.ToArray(), length);
        return columnNames is null ? set : set with { ColumnNames = columnNames };
    }

    private static double Number(CsvReader csv, string path, long line, int field)
    {
        if (!double.TryParse(csv.GetSpan(field), NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
        {
            bool numpyNonFinite = csv.GetString(field).Trim().TrimStart('+', '-').ToLowerInvariant() is "inf" or "nan";
            throw new DataFormatException(path, line, field + 1, $"'{csv.GetString(field)}' is not {(numpyNonFinite ? "a finite value" : "a number")}");
        }
        if (!double.IsFinite(v) || !float.IsFinite((float)v))
            throw new DataFormatException(path, line, field + 1, $"'{csv.GetString(field)}' is not a finite value");
        return v;
    }

    private static float Sample(CsvReader csv, string path, long line, int field)
    {
        double v = Number(csv, path, line, field);
        if (v < -SampleSlack || v > 1 + SampleSlack)
            throw new DataFormatException(path, line, field + 1, $"sample '{csv.GetString(field)}' is outside 0..1; Kaggle-format beats are min-max normalised to [0, 1]");
        return (float)v;
    }

    private static Stream OpenMaybeGzip(string path)
    {
        var file = System.IO.File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        int n = file.Read(magic);
        file.Position = 0;
        return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b ? new CheckedGzipStream(file, path) : file;
    }

    /// <summary>
    /// Writes <paramref name="beats"/> as the Kaggle files are written (numpy <c>%.18e</c>, comma-separated,
    /// no header; gzip when the path ends in .gz), through a temporary file renamed into place, so a
    /// failure leaves no half-written file.
    /// </summary>
    public static void Write(string path, BeatSet beats)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Stream stream = full.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true) : file;
                using (var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" })
                {
                    Span<char> buffer = stackalloc char[40];
                    for (int r = 0; r < beats.Count; r++)
                    {
                        var row = beats.Row(r);
                        for (int i = 0; i < row.Length; i++) { writer.Write(Format(row[i], buffer)); writer.Write(','); }
                        writer.Write(Format(beats.Labels[r], buffer));
                        writer.Write('\n');
                    }
                }
                if (stream != file) stream.Dispose();
                file.Flush(flushToDisk: true);
            }
            System.IO.File.Move(temp, full, overwrite: true);
        }
        catch
        {
            if (System.IO.File.Exists(temp)) System.IO.File.Delete(temp);
            throw;
        }
    }

    /// <summary>numpy's "%.18e": 18 digits after the point, a lower-case e and at least two exponent digits.</summary>
    public static ReadOnlySpan<char> Format(double value, Span<char> buffer)
    {
        if (!value.TryFormat(buffer, out int n, "E18", CultureInfo.InvariantCulture)) throw new InvalidOperationException("format buffer too small");
        // .NET writes E+001; numpy writes e+01.
        int e = buffer[..n].IndexOf('E');
        buffer[e] = 'e';
        int digits = e + 2, firstNonZero = digits;
        while (firstNonZero < n - 2 && buffer[firstNonZero] == '0') firstNonZero++;
        int keep = n - firstNonZero;
        buffer.Slice(firstNonZero, keep).CopyTo(buffer[digits..]);
        return buffer[..(digits + keep)];
    }
}
