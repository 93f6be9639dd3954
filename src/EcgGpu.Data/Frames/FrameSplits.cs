using Microsoft.Data.Analysis;

namespace EcgGpu.Data;

/// <summary>Train/test splits and class balancing on frames; the rows keep every column.</summary>
public static class FrameSplits
{
    /// <summary>Stratified random split as scikit-learn's <c>train_test_split(stratify=y)</c>: the same rows as <see cref="Splits.Stratified"/> on the beats.</summary>
    public static (DataFrame Train, DataFrame Test) Stratified(DataFrame frame, double testFraction, int seed, string labelColumn = BeatFrame.Label)
    {
        if (testFraction is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "a fraction strictly between 0 and 1");
        var (train, test) = Splits.StratifiedIndices(BeatFrame.ReadLabels(frame, labelColumn), testFraction, seed);
        return (frame[train], frame[test]);
    }

    /// <summary>de Chazal et al. 2004 by <paramref name="recordColumn"/>: DS1 records train, DS2 records test, no patient on both sides; other records are left out.</summary>
    public static (DataFrame Train, DataFrame Test) InterPatient(DataFrame frame, string recordColumn = BeatFrame.Record)
        => ByRecord(frame, Mitdb.DS1, Mitdb.DS2, recordColumn);

    /// <summary>Rows whose record is in <paramref name="trainRecords"/> train, in <paramref name="testRecords"/> test (a record on both lists is refused).</summary>
    public static (DataFrame Train, DataFrame Test) ByRecord(DataFrame frame, IEnumerable<string> trainRecords, IEnumerable<string> testRecords, string recordColumn = BeatFrame.Record)
    {
        var trainSet = trainRecords.ToHashSet(StringComparer.Ordinal);
        var testSet = testRecords.ToHashSet(StringComparer.Ordinal);
        if (trainSet.Overlaps(testSet)) throw new ArgumentException($"records on both sides: {string.Join(", ", trainSet.Intersect(testSet))}");
        var column = BeatFrame.Column(frame, recordColumn);
        var records = new string[column.Length];
        for (int r = 0; r < records.Length; r++)
            records[r] = column[r]?.ToString() ?? throw new FrameDataException(recordColumn, r, "missing record");
        var train = Enumerable.Range(0, records.Length).Where(i => trainSet.Contains(records[i]));
        var test = Enumerable.Range(0, records.Length).Where(i => testSet.Contains(records[i]));
        return (frame[train], frame[test]);
    }

    /// <summary>
    /// Every class oversampled to the size of the largest, as <see cref="Splits.Oversample"/> (with
    /// <paramref name="augment"/>, the copies scaled in amplitude and stretched in time); the result is a beat
    /// frame (feature, label and meta columns) with the label column named as in <paramref name="frame"/>.
    /// </summary>
    public static DataFrame Oversample(DataFrame frame, int seed, bool augment = false, string labelColumn = BeatFrame.Label)
    {
        var result = Splits.Oversample(frame.ToBeatSet(labelColumn), seed, augment).ToDataFrame();
        if (labelColumn != BeatFrame.Label) result.Columns[BeatFrame.Label].SetName(labelColumn);
        return result;
    }
}
