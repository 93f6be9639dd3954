using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Data.Analysis;

namespace EcgGpu.Data;

/// <summary>
/// Beats as a Microsoft.Data.Analysis <see cref="DataFrame"/>, the table .NET data work is done in, and
/// the conversion to and from <see cref="BeatSet"/>, the row-major view the device takes. A beat frame
/// has one float column per sample (named "0".."186" as the Kaggle files number them), an integer
/// <see cref="Label"/> column (null where unknown), and where known a string <see cref="Record"/> column, an
/// integer <see cref="RPeak"/> column and the RR-feature columns of <see cref="RrFeatures.Names"/>.
/// A frame built elsewhere may name its label column otherwise and hold any numeric columns as features.
/// </summary>
public static class BeatFrame
{
    public const string Label = "label", Record = "record", RPeak = "sample";

    /// <summary>The columns that describe a beat rather than being one of its features.</summary>
    public static bool IsMetaColumn(string name) => name is Record or RPeak || RrFeatures.Names.Contains(name);

    /// <summary>The beats as a frame: sample columns, label (null for unlabelled rows), record, R-peak sample and RR features where the set has them.</summary>
    public static DataFrame ToDataFrame(this BeatSet beats)
    {
        var columns = new List<DataFrameColumn>(beats.Length + 3 + RrFeatures.Count);
        var values = new float[beats.Count];
        for (int c = 0; c < beats.Length; c++)
        {
            for (int r = 0; r < beats.Count; r++) values[r] = beats.Samples[r * beats.Length + c];
            columns.Add(FloatColumn(beats.ColumnNames[c], values));
        }
        columns.Add(new Int32DataFrameColumn(Label, beats.Labels.Select(l => l >= 0 ? l : (int?)null)));
        if (beats.Records is not null) columns.Add(new StringDataFrameColumn(Record, beats.Records));
        if (beats.SampleIndices is not null) columns.Add(new Int32DataFrameColumn(RPeak, beats.SampleIndices));
        if (beats.Rr is not null)
            for (int k = 0; k < RrFeatures.Count; k++)
            {
                for (int r = 0; r < beats.Count; r++) values[r] = beats.Rr[r * RrFeatures.Count + k];
                columns.Add(FloatColumn(RrFeatures.Names[k], values));
            }
        return new DataFrame(columns);
    }

    /// <summary>A float column holding a copy of <paramref name="values"/>, built from its bytes (one copy, no per-value calls).</summary>
    public static SingleDataFrameColumn FloatColumn(string name, ReadOnlySpan<float> values)
    {
        var bytes = MemoryMarshal.AsBytes(values).ToArray();
        var valid = new byte[(values.Length + 7) / 8];
        Array.Fill(valid, (byte)0xFF);
        return new SingleDataFrameColumn(name, bytes, valid, values.Length, 0);
    }

    /// <summary>
    /// The columns that are features of <paramref name="frame"/>: every column but the label column and the
    /// meta columns (<see cref="IsMetaColumn"/>), in the frame's order.
    /// </summary>
    public static IReadOnlyList<string> FeatureColumns(DataFrame frame, string labelColumn = Label)
        => frame.Columns.Select(c => c.Name).Where(n => n != labelColumn && !IsMetaColumn(n)).ToArray();

    /// <summary>
    /// The row-major view the device takes: the feature columns (default <see cref="FeatureColumns"/>) of every
    /// row, the labels of <paramref name="labelColumn"/>, and the record, R-peak and RR columns where the frame
    /// has them. Refuses, naming the column and the row, a missing value, a value that is not a finite number,
    /// and a label that is not a whole class 0–4 (with <paramref name="labelsRequired"/> false a missing label,
    /// or no label column at all, is an unlabelled row, label −1).
    /// </summary>
    public static BeatSet ToBeatSet(this DataFrame frame, string labelColumn = Label, IReadOnlyList<string>? featureColumns = null, bool labelsRequired = true)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var features = featureColumns ?? FeatureColumns(frame, labelColumn);
        if (features.Count == 0) throw new ArgumentException("the frame has no feature columns", nameof(featureColumns));
        int rows = checked((int)frame.Rows.Count);
        int width = features.Count;
        var samples = new float[(long)rows * width];
        var column = new float[rows];
        for (int c = 0; c < width; c++)
        {
            ReadFloats(Column(frame, features[c]), column);
            for (int r = 0; r < rows; r++) samples[(long)r * width + c] = column[r];
        }
        var labels = ReadLabels(frame, labelColumn, labelsRequired);
        var names = features.ToArray();
        var set = new BeatSet(samples, labels, width) { ColumnNames = names };
        if (frame.Columns.IndexOf(Record) >= 0)
        {
            var records = Column(frame, Record);
            set = set with { Records = Enumerable.Range(0, rows).Select(r => records[r]?.ToString() ?? throw new FrameDataException(Record, r, "missing record")).ToArray() };
        }
        if (frame.Columns.IndexOf(RPeak) >= 0)
        {
            var peaks = new double[rows];
            ReadDoubles(Column(frame, RPeak), peaks);
            set = set with { SampleIndices = peaks.Select(v => (int)v).ToArray() };
        }
        if (RrFeatures.Names.All(n => frame.Columns.IndexOf(n) >= 0))
        {
            var rr = new float[rows * RrFeatures.Count];
            for (int k = 0; k < RrFeatures.Count; k++)
            {
                ReadFloats(Column(frame, RrFeatures.Names[k]), column);
                for (int r = 0; r < rows; r++) rr[r * RrFeatures.Count + k] = column[r];
            }
            set = set with { Rr = rr };
        }
        return set;
    }

    /// <summary><see cref="ToBeatSet"/>, timed: the one conversion per data set to the row-major array the device takes.</summary>
    public static (BeatSet Beats, double Seconds) ToBeatSetTimed(this DataFrame frame, string labelColumn = Label, IReadOnlyList<string>? featureColumns = null)
    {
        var clock = Stopwatch.StartNew();
        var beats = frame.ToBeatSet(labelColumn, featureColumns);
        return (beats, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The Kaggle CSV (CsvHelper; malformed rows refused with file, line and column) as a beat frame, with the records and RR features of the <c>_rr.csv</c> beside it when there is one.</summary>
    public static DataFrame ReadKaggleCsv(string path) => MitdbPreparation.ReadWithRr(path).ToDataFrame();

    public static DataFrameColumn Column(DataFrame frame, string name)
    {
        int index = frame.Columns.IndexOf(name);
        if (index < 0)
            throw new FrameDataException(name, -1, $"no such column; the frame has {frame.Columns.Count} columns ({string.Join(", ", frame.Columns.Take(8).Select(c => c.Name))}{(frame.Columns.Count > 8 ? ", ..." : "")})");
        return frame.Columns[index];
    }

    /// <summary>The values of a numeric column (or a text column of numbers) as floats; a missing, non-numeric or non-finite value is refused with its row.</summary>
    public static void ReadFloats(DataFrameColumn column, Span<float> values)
    {
        if (column is PrimitiveDataFrameColumn<float> floats && floats.NullCount == 0)
        {
            long offset = 0;
            foreach (var buffer in floats.GetReadOnlyDataBuffers())
            {
                buffer.Span.CopyTo(values[(int)offset..]);
                offset += buffer.Length;
            }
            for (int r = 0; r < values.Length; r++)
                if (!float.IsFinite(values[r])) throw new FrameDataException(column.Name, r, $"{values[r].ToString(CultureInfo.InvariantCulture)} is not a finite value");
            return;
        }
        var doubles = new double[values.Length];
        ReadDoubles(column, doubles);
        for (int r = 0; r < values.Length; r++)
        {
            values[r] = (float)doubles[r];
            if (!float.IsFinite(values[r])) throw new FrameDataException(column.Name, r, $"{doubles[r].ToString(CultureInfo.InvariantCulture)} is out of the float range");
        }
    }

    /// <summary>The values of a numeric column (or a text column of numbers) as doubles; a missing, non-numeric or non-finite value is refused with its row.</summary>
    public static void ReadDoubles(DataFrameColumn column, Span<double> values)
    {
        if (column.Length != values.Length) throw new ArgumentException($"column '{column.Name}' has {column.Length} rows, expected {values.Length}");
        bool text = column is StringDataFrameColumn or ArrowStringDataFrameColumn;
        if (!text && !column.IsNumericColumn())
            throw new FrameDataException(column.Name, 0, $"'{column[0]}' is not a number (the column holds {column.DataType.Name}, not numbers)");
        for (int r = 0; r < values.Length; r++)
        {
            object? value = column[r];
            if (value is null) throw new FrameDataException(column.Name, r, "missing value");
            double v;
            if (text)
            {
                if (!double.TryParse((string)value, NumberStyles.Float, CultureInfo.InvariantCulture, out v))
                    throw new FrameDataException(column.Name, r, $"'{value}' is not a number");
            }
            else v = Convert.ToDouble(value, CultureInfo.InvariantCulture);
            if (!double.IsFinite(v)) throw new FrameDataException(column.Name, r, $"{v.ToString(CultureInfo.InvariantCulture)} is not a finite value");
            values[r] = v;
        }
    }

    /// <summary>The classes 0–4 of <paramref name="labelColumn"/>; −1 for an unknown label where labels are not required.</summary>
    public static int[] ReadLabels(DataFrame frame, string labelColumn, bool labelsRequired = true)
    {
        int rows = checked((int)frame.Rows.Count);
        var labels = new int[rows];
        if (frame.Columns.IndexOf(labelColumn) < 0)
        {
            if (labelsRequired) Column(frame, labelColumn);   // throws naming the missing column
            Array.Fill(labels, -1);
            return labels;
        }
        var column = Column(frame, labelColumn);
        bool text = column is StringDataFrameColumn or ArrowStringDataFrameColumn;
        if (!text && !column.IsNumericColumn())
            throw new FrameDataException(labelColumn, 0, $"'{column[0]}' is not a class 0-{BeatFormat.Classes - 1} (the column holds {column.DataType.Name})");
        for (int r = 0; r < rows; r++)
        {
            object? value = column[r];
            if (value is null)
            {
                if (labelsRequired) throw new FrameDataException(labelColumn, r, "missing label");
                labels[r] = -1;
                continue;
            }
            double v;
            bool number;
            if (text) number = double.TryParse((string)value, NumberStyles.Float, CultureInfo.InvariantCulture, out v);
            else { v = Convert.ToDouble(value, CultureInfo.InvariantCulture); number = !double.IsNaN(v); }
            if (!number || v != Math.Floor(v) || v < 0 || v >= BeatFormat.Classes)
                throw new FrameDataException(labelColumn, r, $"label '{Convert.ToString(value, CultureInfo.InvariantCulture)}' is not a whole class 0-{BeatFormat.Classes - 1}");
            labels[r] = (int)v;
        }
        return labels;
    }
}
