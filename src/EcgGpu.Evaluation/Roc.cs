namespace EcgGpu.Evaluation;

/// <summary>One ROC curve: false- and true-positive rates at each distinct score threshold, highest first.</summary>
public sealed record RocCurve(double[] FalsePositiveRate, double[] TruePositiveRate, double[] Thresholds, double Auc);

/// <summary>
/// ROC curves as scikit-learn's <c>roc_curve</c> computes them (one point per distinct score, so
/// tied scores move along a diagonal) and the area under them by the trapezoidal rule.
/// </summary>
public static class Roc
{
    /// <summary>The curve for "is <paramref name="positiveClass"/>" against the rest, from that class's scores.</summary>
    /// <returns>The curve; its <see cref="RocCurve.Auc"/> is NaN when the labels hold only one side (scikit-learn raises there).</returns>
    public static RocCurve OneVsRest(IReadOnlyList<int> labels, IReadOnlyList<double> scores, int positiveClass)
    {
        if (labels.Count != scores.Count) throw new ArgumentException($"{labels.Count} labels but {scores.Count} scores");
        int n = labels.Count;
        var order = Enumerable.Range(0, n).ToArray();
        // Descending score. The order within a tie does not matter: a point is emitted only at the end of a tie.
        var keys = order.Select(i => -scores[i]).ToArray();
        Array.Sort(keys, order);
        var fpr = new List<double> { 0 };
        var tpr = new List<double> { 0 };
        var thresholds = new List<double> { double.PositiveInfinity };
        long tp = 0, fp = 0;
        long positives = labels.Count(l => l == positiveClass), negatives = n - positives;
        for (int k = 0; k < n; k++)
        {
            int i = order[k];
            if (labels[i] == positiveClass) tp++; else fp++;
            bool lastOfTie = k == n - 1 || scores[order[k + 1]] != scores[i];
            if (!lastOfTie) continue;
            fpr.Add(negatives == 0 ? double.NaN : (double)fp / negatives);
            tpr.Add(positives == 0 ? double.NaN : (double)tp / positives);
            thresholds.Add(scores[i]);
        }
        double auc = positives == 0 || negatives == 0 ? double.NaN : Trapezoid(fpr, tpr);
        return new RocCurve(fpr.ToArray(), tpr.ToArray(), thresholds.ToArray(), auc);
    }

    private static double Trapezoid(List<double> x, List<double> y)
    {
        double area = 0;
        for (int i = 1; i < x.Count; i++) area += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2;
        return area;
    }
}
