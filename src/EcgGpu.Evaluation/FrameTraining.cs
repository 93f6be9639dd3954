using EcgGpu.Data;
using EcgGpu.Nn;
using EcgGpu.Runtime;
using Microsoft.Data.Analysis;

namespace EcgGpu.Evaluation;

/// <summary>
/// Training and prediction for a <see cref="DataFrame"/> built anywhere (a CSV of one's own, Arrow, a database):
/// the frame's numeric columns are the beat (187 of them for the zoo models), the label column is named.
/// Each frame is converted once to the row-major array the device takes.
/// </summary>
public static class FrameTraining
{
    /// <summary>
    /// <see cref="Experiment.Run"/> on frames: the feature columns of <paramref name="train"/> and <paramref name="test"/>
    /// (every column but <paramref name="labelColumn"/> and the record/R-peak/RR columns), classes 0–4 in
    /// <paramref name="labelColumn"/>. A missing, non-numeric or non-finite value, or a label outside 0–4, is refused naming the column and row.
    /// </summary>
    public static ModelResult Run(Accelerator accelerator, DataFrame train, DataFrame test, string labelColumn, ExperimentOptions options, string outDir,
        IProgress<EpochLog>? epochs = null, IProgress<StepProgress>? steps = null)
    {
        var trainBeats = train.ToBeatSet(labelColumn);
        var testBeats = test.ToBeatSet(labelColumn, BeatFrame.FeatureColumns(train, labelColumn));
        return Experiment.Run(accelerator, trainBeats, testBeats, options, outDir, epochs, steps);
    }

    /// <summary>Names of the probability columns of <see cref="Predict"/>: p0..p4, as <c>ecg predict</c> writes them.</summary>
    public static IReadOnlyList<string> ProbabilityColumns { get; } = Enumerable.Range(0, BeatFormat.Classes).Select(c => $"p{c}").ToArray();

    /// <summary>
    /// The model's prediction for every row of <paramref name="beats"/> (after the <paramref name="preprocessing"/> stored with it),
    /// as a frame: label (the frame's <paramref name="labelColumn"/> where it has one, else null), class (0–4), name
    /// (N, S, V, F, Q) and the probabilities p0..p4.
    /// </summary>
    public static DataFrame Predict(Sequential model, Preprocessing preprocessing, DataFrame beats, string labelColumn = BeatFrame.Label)
    {
        var rows = beats.ToBeatSet(labelColumn, labelsRequired: false);
        var p = model.Predict(preprocessing.Apply(rows).Samples);
        Predictions.RequireFinite(p, model.Classes, model.Name);
        int classes = model.Classes, n = rows.Count;
        var predicted = new int[n];
        for (int r = 0; r < n; r++)
        {
            var row = p.AsSpan(r * classes, classes);
            for (int c = 1; c < classes; c++) if (row[c] > row[predicted[r]]) predicted[r] = c;
        }
        var columns = new List<DataFrameColumn>
        {
            new Int32DataFrameColumn("label", rows.Labels.Select(l => l >= 0 ? l : (int?)null)),
            new Int32DataFrameColumn("class", predicted),
            new StringDataFrameColumn("name", predicted.Select(c => BeatFormat.ClassNames[c])),
        };
        var values = new float[n];
        for (int c = 0; c < classes; c++)
        {
            for (int r = 0; r < n; r++) values[r] = p[r * classes + c];
            columns.Add(BeatFrame.FloatColumn(ProbabilityColumns[c], values));
        }
        return new DataFrame(columns);
    }
}
