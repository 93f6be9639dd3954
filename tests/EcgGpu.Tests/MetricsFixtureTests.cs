using System.Text.Json;
using EcgGpu.Evaluation;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>
/// Classification metrics against scikit-learn 1.2 (every sklearn/metrics_* file found): the
/// numbers to 1e-9 and the classification report character for character. Host-side code, so one
/// run covers every backend.
/// </summary>
[Category("Fixtures")]
public sealed class MetricsFixtureTests
{
    private const double Tol = 1e-9;

    public static bool IsMetricsCase(string relative) => Path.GetFileName(relative).StartsWith("metrics", StringComparison.Ordinal);

    public static IEnumerable<string> Cases()
    {
        var all = Fixtures.Cases("sklearn").ToList();
        if (all is ["(none)"]) return all;
        var metrics = all.Where(IsMetricsCase).ToList();
        return metrics.Count > 0 ? metrics : ["(none)"];
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesScikitLearn(string file)
    {
        var f = Fixtures.Load(file);
        int classes = f.GetProperty("classes").GetInt32();
        var yTrue = Ints(f.GetProperty("y_true"));
        var yPred = Ints(f.GetProperty("y_pred"));
        var scores = f.GetProperty("y_score").EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetDouble()).ToArray()).ToArray();

        var m = ClassificationMetrics.FromScores(yTrue, scores);
        Assert.That(m.Classes, Is.EqualTo(classes));
        for (int i = 0; i < yPred.Length; i++) Assert.That(m.Confusion[yTrue[i], yPred[i]], Is.GreaterThan(0), $"row {i}: arg-max differs from y_pred");

        Assert.That(m.Accuracy, Is.EqualTo(f.GetProperty("accuracy").GetDouble()).Within(Tol), "accuracy");
        var confusion = f.GetProperty("confusion").EnumerateArray().Select(Ints).ToArray();
        for (int t = 0; t < classes; t++)
            for (int p = 0; p < classes; p++)
                Assert.That(m.Confusion[t, p], Is.EqualTo(confusion[t][p]), $"confusion[{t},{p}]");
        var precision = Doubles(f.GetProperty("precision"));
        var recall = Doubles(f.GetProperty("recall"));
        var f1 = Doubles(f.GetProperty("f1"));
        var support = Ints(f.GetProperty("support"));
        var auc = Doubles(f.GetProperty("roc_auc_ovr_per_class"));
        for (int c = 0; c < classes; c++)
        {
            var k = m.PerClass[c];
            Assert.That(k.Precision, Is.EqualTo(precision[c]).Within(Tol), $"precision[{c}]");
            Assert.That(k.Recall, Is.EqualTo(recall[c]).Within(Tol), $"recall[{c}]");
            Assert.That(k.F1, Is.EqualTo(f1[c]).Within(Tol), $"f1[{c}]");
            Assert.That(k.Support, Is.EqualTo(support[c]), $"support[{c}]");
            Assert.That(k.RocAuc, Is.EqualTo(auc[c]).Within(Tol), $"roc_auc[{c}]");
        }
        AssertAverage(m.Macro, f.GetProperty("macro"), "macro");
        AssertAverage(m.Weighted, f.GetProperty("weighted"), "weighted");
        Assert.That(m.RocAucMacro, Is.EqualTo(f.GetProperty("roc_auc_ovr_macro").GetDouble()).Within(Tol), "roc_auc_ovr_macro");
        Assert.That(m.ClassificationReport(4), Is.EqualTo(f.GetProperty("classification_report").GetString()), "classification_report(digits=4)");
    }

    private static void AssertAverage(AverageMetrics actual, JsonElement expected, string what)
    {
        Assert.That(actual.Precision, Is.EqualTo(expected.GetProperty("precision").GetDouble()).Within(Tol), what + " precision");
        Assert.That(actual.Recall, Is.EqualTo(expected.GetProperty("recall").GetDouble()).Within(Tol), what + " recall");
        Assert.That(actual.F1, Is.EqualTo(expected.GetProperty("f1").GetDouble()).Within(Tol), what + " f1");
    }

    private static int[] Ints(JsonElement a) => a.EnumerateArray().Select(e => e.GetInt32()).ToArray();
    private static double[] Doubles(JsonElement a) => a.EnumerateArray().Select(e => e.GetDouble()).ToArray();
}
