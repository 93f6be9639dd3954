using System.Globalization;
using System.Text;

namespace EcgGpu.Evaluation;

/// <summary>Precision, recall, F1 and support of one class, its one-vs-rest ROC-AUC, and the AAMI EC57 figures.</summary>
public sealed record ClassMetrics(
    int Class, string Name, double Precision, double Recall, double F1, long Support, double RocAuc,
    double Specificity, double FalsePositiveRate)
{
    /// <summary>Sensitivity (Se) as AAMI EC57 names recall.</summary>
    public double Sensitivity => Recall;

    /// <summary>Positive predictive value (+P) as AAMI EC57 names precision.</summary>
    public double PositivePredictiveValue => Precision;
}

/// <summary>An average of precision, recall and F1 over the classes.</summary>
public sealed record AverageMetrics(double Precision, double Recall, double F1);

/// <summary>
/// Multi-class classification metrics with scikit-learn's definitions: accuracy, confusion matrix
/// (rows are true classes), per-class precision/recall/F1/support with 0 where a ratio has a zero
/// denominator (scikit-learn's <c>zero_division</c> default, without its warning), macro and
/// support-weighted averages, and one-vs-rest ROC curves with their AUC and the macro mean.
/// </summary>
public sealed class ClassificationMetrics
{
    public int Classes { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public long Count { get; }
    public double Accuracy { get; }

    /// <summary>Counts, [true class, predicted class].</summary>
    public long[,] Confusion { get; }
    public IReadOnlyList<ClassMetrics> PerClass { get; }
    public AverageMetrics Macro { get; }
    public AverageMetrics Weighted { get; }

    /// <summary>One-vs-rest curves per class; null when no scores were given.</summary>
    public IReadOnlyList<RocCurve>? RocCurves { get; }

    /// <summary>Unweighted mean of the per-class AUCs that are defined (a class absent from the labels has none); NaN without scores.</summary>
    public double RocAucMacro { get; }

    private ClassificationMetrics(int classes, IReadOnlyList<string> names, long count, double accuracy, long[,] confusion,
        IReadOnlyList<ClassMetrics> perClass, AverageMetrics macro, AverageMetrics weighted, IReadOnlyList<RocCurve>? curves, double aucMacro)
    {
        Classes = classes; ClassNames = names; Count = count; Accuracy = accuracy; Confusion = confusion;
        PerClass = perClass; Macro = macro; Weighted = weighted; RocCurves = curves; RocAucMacro = aucMacro;
    }

    /// <summary>Metrics from labels and class probabilities; the prediction is the arg-max of each row (first on ties, as numpy).</summary>
    public static ClassificationMetrics FromScores(IReadOnlyList<int> labels, double[][] scores, IReadOnlyList<string>? names = null)
    {
        if (scores.Length != labels.Count) throw new ArgumentException($"{labels.Count} labels but {scores.Length} score rows");
        if (scores.Length == 0) throw new ArgumentException("no rows to evaluate");
        int classes = scores[0].Length;
        var predicted = new int[scores.Length];
        for (int i = 0; i < scores.Length; i++)
        {
            if (scores[i].Length != classes) throw new ArgumentException($"row {i}: {scores[i].Length} scores, expected {classes}");
            int best = 0;
            for (int c = 1; c < classes; c++) if (scores[i][c] > scores[i][best]) best = c;
            predicted[i] = best;
        }
        return Compute(labels, predicted, scores, classes, names);
    }

    /// <summary>Metrics from labels and predicted classes, with ROC-AUC when <paramref name="scores"/> are given.</summary>
    public static ClassificationMetrics Compute(IReadOnlyList<int> labels, IReadOnlyList<int> predicted, double[][]? scores, int classes, IReadOnlyList<string>? names = null)
    {
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "at least two classes");
        if (labels.Count != predicted.Count) throw new ArgumentException($"{labels.Count} labels but {predicted.Count} predictions");
        if (labels.Count == 0) throw new ArgumentException("no rows to evaluate");
        names ??= Enumerable.Range(0, classes).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray();
        if (names.Count != classes) throw new ArgumentException($"{names.Count} class names for {classes} classes");

        var confusion = new long[classes, classes];
        for (int i = 0; i < labels.Count; i++)
        {
            int t = labels[i], p = predicted[i];
            if ((uint)t >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(labels), $"row {i}: label {t} is not a class 0..{classes - 1}");
            if ((uint)p >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(predicted), $"row {i}: prediction {p} is not a class 0..{classes - 1}");
            confusion[t, p]++;
        }
        long n = labels.Count, correct = 0;
        for (int c = 0; c < classes; c++) correct += confusion[c, c];

        RocCurve[]? curves = null;
        if (scores is not null)
        {
            if (scores.Length != labels.Count) throw new ArgumentException($"{labels.Count} labels but {scores.Length} score rows");
            curves = new RocCurve[classes];
            for (int c = 0; c < classes; c++)
            {
                int cc = c;
                curves[c] = Roc.OneVsRest(labels, scores.Select(r => r[cc]).ToArray(), c);
            }
        }

        var perClass = new ClassMetrics[classes];
        for (int c = 0; c < classes; c++)
        {
            long tp = confusion[c, c], support = 0, predictedCount = 0;
            for (int k = 0; k < classes; k++) { support += confusion[c, k]; predictedCount += confusion[k, c]; }
            long fp = predictedCount - tp, fn = support - tp, tn = n - tp - fp - fn;
            double precision = Ratio(tp, tp + fp), recall = Ratio(tp, tp + fn);
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            double specificity = Ratio(tn, tn + fp), fpr = Ratio(fp, fp + tn);
            perClass[c] = new ClassMetrics(c, names[c], precision, recall, f1, support, curves?[c].Auc ?? double.NaN, specificity, fpr);
        }

        var macro = new AverageMetrics(perClass.Average(m => m.Precision), perClass.Average(m => m.Recall), perClass.Average(m => m.F1));
        var weighted = new AverageMetrics(
            perClass.Sum(m => m.Precision * m.Support) / n, perClass.Sum(m => m.Recall * m.Support) / n, perClass.Sum(m => m.F1 * m.Support) / n);
        var defined = curves?.Select(r => r.Auc).Where(a => !double.IsNaN(a)).ToArray();
        double aucMacro = defined is { Length: > 0 } ? defined.Average() : double.NaN;
        return new ClassificationMetrics(classes, names.ToArray(), n, (double)correct / n, confusion, perClass, macro, weighted, curves, aucMacro);
    }

    private static double Ratio(long num, long den) => den == 0 ? 0 : (double)num / den;

    /// <summary>The confusion matrix divided by each row's total (recall on the diagonal); a row without samples stays 0.</summary>
    public double[,] NormalizedConfusion()
    {
        var result = new double[Classes, Classes];
        for (int t = 0; t < Classes; t++)
        {
            long row = 0;
            for (int p = 0; p < Classes; p++) row += Confusion[t, p];
            for (int p = 0; p < Classes; p++) result[t, p] = row == 0 ? 0 : (double)Confusion[t, p] / row;
        }
        return result;
    }

    /// <summary>The text of scikit-learn's <c>classification_report(digits)</c>, character for character.</summary>
    public string ClassificationReport(int digits = 4)
    {
        const string lastHeading = "weighted avg";
        int width = Math.Max(Math.Max(ClassNames.Max(s => s.Length), lastHeading.Length), digits);
        var sb = new StringBuilder();
        sb.Append(' ', width).Append(' ');
        foreach (var h in new[] { "precision", "recall", "f1-score", "support" }) sb.Append(' ').Append(h.PadLeft(9));
        sb.Append("\n\n");
        string F(double v) => v.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture).PadLeft(9);
        void Row(string heading, double p, double r, double f, long support)
            => sb.Append(heading.PadLeft(width)).Append(' ')
                .Append(' ').Append(F(p)).Append(' ').Append(F(r)).Append(' ').Append(F(f))
                .Append(' ').Append(support.ToString(CultureInfo.InvariantCulture).PadLeft(9)).Append('\n');
        foreach (var m in PerClass) Row(m.Name, m.Precision, m.Recall, m.F1, m.Support);
        sb.Append('\n');
        // Single-label multi-class: micro average equals accuracy, which scikit-learn prints on its own.
        sb.Append("accuracy".PadLeft(width)).Append(' ').Append(' ').Append(new string(' ', 9)).Append(' ').Append(new string(' ', 9))
            .Append(' ').Append(F(Accuracy)).Append(' ').Append(Count.ToString(CultureInfo.InvariantCulture).PadLeft(9)).Append('\n');
        Row("macro avg", Macro.Precision, Macro.Recall, Macro.F1, Count);
        Row(lastHeading, Weighted.Precision, Weighted.Recall, Weighted.F1, Count);
        return sb.ToString();
    }
}
