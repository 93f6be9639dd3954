using EcgGpu.Data;
using EcgGpu.Runtime.Cpu;
using Microsoft.Data.Analysis;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>The DataFrame layer gives the numbers of the BeatSet code it stands on, and refuses bad frames naming column and row.</summary>
public sealed class BeatFrameTests
{
    private static BeatSet Beats(int count, int seed)
    {
        var beats = SyntheticBeats.Generate(count, seed, [0.6, 0.1, 0.1, 0.1, 0.1]);
        var records = Enumerable.Range(0, count).Select(i => (i % 2 == 0 ? Mitdb.DS1 : Mitdb.DS2)[i % 7]).ToArray();
        return beats with { Records = records, SampleIndices = Enumerable.Range(0, count).Select(i => 100 * i).ToArray() };
    }

    [Test]
    public void A_beat_set_survives_the_round_trip_through_a_frame()
    {
        var beats = Beats(120, 1) with { Rr = Enumerable.Range(0, 120 * RrFeatures.Count).Select(i => 0.5f + i % 7 * 0.1f).ToArray() };
        var frame = beats.ToDataFrame();
        Assert.That(frame.Columns.Count, Is.EqualTo(187 + 3 + RrFeatures.Count));
        Assert.That(frame.Rows.Count, Is.EqualTo(120));
        Assert.That(frame.Columns["5"][7], Is.EqualTo(beats.Samples[7 * 187 + 5]));
        var back = frame.ToBeatSet();
        Assert.That(back.Samples, Is.EqualTo(beats.Samples));
        Assert.That(back.Labels, Is.EqualTo(beats.Labels));
        Assert.That(back.Records, Is.EqualTo(beats.Records));
        Assert.That(back.SampleIndices, Is.EqualTo(beats.SampleIndices));
        Assert.That(back.Rr, Is.EqualTo(beats.Rr));
        Assert.That(back.ColumnNames, Is.EqualTo(beats.ColumnNames));
    }

    [Test]
    public void Describe_and_class_counts_on_a_frame_equal_the_beat_set_figures()
    {
        var beats = Beats(150, 2);
        var frame = beats.ToDataFrame();
        var expected = beats.Describe();
        Assert.That(FrameStatistics.Summaries(frame), Is.EqualTo(expected));
        var described = FrameStatistics.Describe(frame);
        Assert.That(described.Columns.Count, Is.EqualTo(188));
        Assert.That(described.Columns["statistic"][2], Is.EqualTo("std"));
        Assert.That(described.Columns["40"][6], Is.EqualTo(expected[40].Q75));
        var counts = FrameStatistics.ClassCounts(frame);
        Assert.That(Enumerable.Range(0, 5).Select(c => (long)counts.Columns["count"][c]!), Is.EqualTo(beats.ClassCounts()));
        Assert.That(counts.Columns["name"][2], Is.EqualTo("V"));
    }

    [Test]
    public void Scalers_fitted_on_one_frame_transform_another_as_on_beat_sets()
    {
        var (train, test) = (Beats(100, 3), Beats(40, 4));
        foreach (var kind in new[] { FeatureScaler.Standard, FeatureScaler.MinMax })
        {
            var onBeats = FeatureScaler.Fit(kind, train);
            var onFrame = FrameScaling.Fit(kind, train.ToDataFrame());
            Assert.That(onFrame.Offset, Is.EqualTo(onBeats.Offset), kind);
            Assert.That(onFrame.Scale, Is.EqualTo(onBeats.Scale), kind);
            var transformed = onFrame.Transform(test.ToDataFrame());
            Assert.That(transformed.ToBeatSet().Samples, Is.EqualTo(onBeats.Transform(test).Samples), kind);
            Assert.That(transformed.Columns["record"][3], Is.EqualTo(test.Records![3]), "other columns are kept");
        }
    }

    [Test]
    public void Information_gain_selection_on_a_frame_keeps_the_ranked_columns_and_scores_them()
    {
        var beats = Beats(200, 5);
        using var acc = CpuAccelerator.Create();
        var (ranked, gains) = FeatureSelection.Rank(acc, beats);
        var (selected, scores) = FrameSelection.TopK(acc, beats.ToDataFrame(), 12);
        Assert.That(BeatFrame.FeatureColumns(selected), Is.EqualTo(ranked[..12].Select(i => i.ToString())));
        Assert.That(selected.ToBeatSet().Samples, Is.EqualTo(beats.SelectColumns(ranked[..12]).Samples));
        Assert.That(scores.Rows.Count, Is.EqualTo(187));
        Assert.That(scores.Columns["column"][0], Is.EqualTo(ranked[0].ToString()));
        Assert.That((double)scores.Columns["gain"][0]!, Is.EqualTo(gains[ranked[0]]));
        Assert.That(scores.Columns["rank"][186], Is.EqualTo(187));
    }

    [Test]
    public void Splits_and_oversampling_on_a_frame_take_the_rows_the_beat_set_code_takes()
    {
        var beats = Beats(300, 6);
        var frame = beats.ToDataFrame();
        var (train, test) = Splits.Stratified(beats, 0.25, seed: 3);
        var (frameTrain, frameTest) = FrameSplits.Stratified(frame, 0.25, seed: 3);
        Assert.That(frameTrain.ToBeatSet().Samples, Is.EqualTo(train.Samples));
        Assert.That(frameTest.ToBeatSet().Labels, Is.EqualTo(test.Labels));

        var (ds1, ds2) = Splits.InterPatient(beats);
        var (f1, f2) = FrameSplits.InterPatient(frame);
        Assert.That(f1.ToBeatSet().Records, Is.EqualTo(ds1.Records));
        Assert.That(f2.ToBeatSet().Samples, Is.EqualTo(ds2.Samples));

        var renamed = frame.Clone();
        renamed.Columns["label"].SetName("class");
        var balanced = FrameSplits.Oversample(renamed, seed: 2, augment: true, labelColumn: "class");
        Assert.That(balanced.ToBeatSet("class").Samples, Is.EqualTo(Splits.Oversample(beats, 2, augment: true).Samples));
    }

    [Test]
    public void A_frame_built_by_hand_is_read_with_its_label_column_and_refused_where_it_is_not_beats()
    {
        DataFrame Frame(DataFrameColumn extra, DataFrameColumn? label = null) => new(
            new DoubleDataFrameColumn("a", [0.1, 0.2, 0.3]),
            new SingleDataFrameColumn("b", [1f, 2f, 3f]),
            extra,
            label ?? new Int64DataFrameColumn("diagnosis", [0L, 4L, 2L]));

        var good = Frame(new Int32DataFrameColumn("c", [7, 8, 9])).ToBeatSet("diagnosis");
        Assert.That(good.Samples, Is.EqualTo(new[] { 0.1f, 1f, 7f, 0.2f, 2f, 8f, 0.3f, 3f, 9f }));
        Assert.That(good.Labels, Is.EqualTo(new[] { 0, 4, 2 }));
        Assert.That(good.ColumnNames, Is.EqualTo(new[] { "a", "b", "c" }));

        var missing = Frame(new SingleDataFrameColumn("c", new float?[] { 1f, null, 3f }));
        Assert.That(() => missing.ToBeatSet("diagnosis"), Throws.TypeOf<FrameDataException>().With.Message.EqualTo("column 'c', row 1: missing value"));
        var text = Frame(new StringDataFrameColumn("c", ["1.5", "x7", "2"]));
        Assert.That(() => text.ToBeatSet("diagnosis"), Throws.TypeOf<FrameDataException>().With.Message.EqualTo("column 'c', row 1: 'x7' is not a number"));
        var dates = Frame(new DateTimeDataFrameColumn("when", [DateTime.UnixEpoch, DateTime.UnixEpoch, DateTime.UnixEpoch]));
        Assert.That(() => dates.ToBeatSet("diagnosis"), Throws.TypeOf<FrameDataException>().With.Message.StartsWith("column 'when', row 0:").And.Message.Contains("not a number"));
        var infinite = Frame(new DoubleDataFrameColumn("c", [1, double.PositiveInfinity, 2]));
        Assert.That(() => infinite.ToBeatSet("diagnosis"), Throws.TypeOf<FrameDataException>().With.Message.StartsWith("column 'c', row 1:"));
        var badLabel = Frame(new Int32DataFrameColumn("c", [7, 8, 9]), new Int32DataFrameColumn("diagnosis", [0, 1, 5]));
        Assert.That(() => badLabel.ToBeatSet("diagnosis"), Throws.TypeOf<FrameDataException>().With.Message.EqualTo("column 'diagnosis', row 2: label '5' is not a whole class 0-4"));
        var fractional = Frame(new Int32DataFrameColumn("c", [7, 8, 9]), new DoubleDataFrameColumn("diagnosis", [0, 1.5, 2]));
        Assert.That(() => fractional.ToBeatSet("diagnosis"), Throws.TypeOf<FrameDataException>().With.Message.Contains("row 1"));
        var noLabel = Frame(new Int32DataFrameColumn("c", [7, 8, 9]), new Int32DataFrameColumn("diagnosis", new int?[] { 0, null, 1 }));
        Assert.That(() => noLabel.ToBeatSet("diagnosis"), Throws.TypeOf<FrameDataException>().With.Message.EqualTo("column 'diagnosis', row 1: missing label"));
        Assert.That(noLabel.ToBeatSet("diagnosis", labelsRequired: false).Labels, Is.EqualTo(new[] { 0, -1, 1 }));
        Assert.That(() => good.ToDataFrame().ToBeatSet("y"), Throws.TypeOf<FrameDataException>().With.Message.StartsWith("column 'y': no such column"));
    }
}

public sealed class FrameEdaTests
{
    [Test]
    public void Describe_on_a_frame_matches_pandas()
    {
        // pandas: pd.DataFrame({'0':[1,2,3,4], '1':[0,0,0,10]}).describe()
        var frame = new DataFrame(new SingleDataFrameColumn("0", [1f, 2f, 3f, 4f]), new SingleDataFrameColumn("1", [0f, 0f, 0f, 10f]), new Int32DataFrameColumn("label", [0, 1, 2, 3]));
        var d = FrameStatistics.Describe(frame);
        Assert.That(Enumerable.Range(0, 8).Select(r => (double)d.Columns["0"][r]!), Is.EqualTo(new[] { 4, 2.5, 1.2909944487358056, 1, 1.75, 2.5, 3.25, 4 }).Within(1e-12));
        Assert.That(Enumerable.Range(0, 8).Select(r => (double)d.Columns["1"][r]!), Is.EqualTo(new double[] { 4, 2.5, 5, 0, 0, 0, 2.5, 10 }));
        Assert.That(FrameStatistics.CountClasses(frame), Is.EqualTo(new long[] { 1, 1, 1, 1, 0 }));
    }

    [Test]
    public void Eda_on_frames_gives_the_beat_set_statistics()
    {
        var train = SyntheticBeats.Generate(150, 8, [0.5, 0.2, 0.1, 0.1, 0.1]);
        var test = SyntheticBeats.Generate(40, 9);
        using var acc = CpuAccelerator.Create();
        var r = EcgGpu.Evaluation.Eda.Analyze(train.ToDataFrame(), test.ToDataFrame(), acc, "synthetic");
        Assert.That(r.Summary, Is.EqualTo(train.Describe()));
        Assert.That(r.TrainCounts, Is.EqualTo(train.ClassCounts()));
        Assert.That(r.TestCounts, Is.EqualTo(test.ClassCounts()));
        Assert.That(r.InformationGainRanking, Is.EqualTo(FeatureSelection.Rank(acc, train).Ranked));
        var vRows = Enumerable.Range(0, train.Count).Where(i => train.Labels[i] == 2).ToArray();
        double mean60 = vRows.Sum(i => (double)train.Samples[i * 187 + 60]) / vRows.Length;
        Assert.That(r.ClassMean[2][60], Is.EqualTo(mean60).Within(1e-12));
        Assert.That(r.ClassExample[2], Is.EqualTo(train.Row(vRows[0]).ToArray()));
        Assert.That(r.Seconds.ContainsKey("to_row_major"));
    }
}

public sealed class FrameTrainingTests
{
    [Test]
    public void A_users_frame_trains_with_its_label_column_and_predictions_come_back_as_a_frame()
    {
        var beats = SyntheticBeats.Generate(240, 11);
        var frame = beats.ToDataFrame();
        frame.Columns["label"].SetName("diagnosis");
        var (train, test) = FrameSplits.Stratified(frame, 0.25, seed: 1, labelColumn: "diagnosis");
        var dir = Path.Combine(Path.GetTempPath(), "ecg-frame-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var acc = CpuAccelerator.Create();
            var result = EcgGpu.Evaluation.FrameTraining.Run(acc, train, test, "diagnosis", new EcgGpu.Evaluation.ExperimentOptions("kachuee", Epochs: 1, BatchSize: 32), dir);
            Assert.That(result.Metrics.PerClass.Sum(c => c.Support), Is.EqualTo(test.Rows.Count));
            var (model, preprocessing) = EcgGpu.Evaluation.Experiment.Load(Path.Combine(dir, "model.safetensors"), acc);
            using (model)
            {
                var predictions = EcgGpu.Evaluation.FrameTraining.Predict(model, preprocessing, test, "diagnosis");
                Assert.That(predictions.Columns.Select(c => c.Name), Is.EqualTo(new[] { "label", "class", "name", "p0", "p1", "p2", "p3", "p4" }));
                Assert.That(predictions.Rows.Count, Is.EqualTo(test.Rows.Count));
                Assert.That(predictions.Columns["label"][0], Is.EqualTo(test.Columns["diagnosis"][0]));
                double sum = Enumerable.Range(0, 5).Sum(c => (double)(float)predictions.Columns[$"p{c}"][3]!);
                Assert.That(sum, Is.EqualTo(1).Within(1e-4));
                Assert.That(predictions.Columns["name"][3], Is.EqualTo("NSVFQ"[(int)predictions.Columns["class"][3]!].ToString()));
                var unlabelled = test.Clone();
                unlabelled.Columns.Remove("diagnosis");
                Assert.That(EcgGpu.Evaluation.FrameTraining.Predict(model, preprocessing, unlabelled, "diagnosis").Columns["label"].NullCount, Is.EqualTo(test.Rows.Count));
            }
            var bad = train.Clone();
            bad.Columns["diagnosis"][5] = 9;
            Assert.That(() => EcgGpu.Evaluation.FrameTraining.Run(acc, bad, test, "diagnosis", new EcgGpu.Evaluation.ExperimentOptions("kachuee", Epochs: 1), dir),
                Throws.TypeOf<FrameDataException>().With.Message.EqualTo("column 'diagnosis', row 5: label '9' is not a whole class 0-4"));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
