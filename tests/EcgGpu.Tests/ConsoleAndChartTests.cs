using System.Xml.Linq;
using EcgGpu.Cli;
using EcgGpu.Evaluation;
using EcgGpu.Nn;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>What a user reads: the comparison table fits 80 columns; epoch axes count in whole numbers.</summary>
public sealed class ConsoleAndChartTests
{
    private static ModelResult Result(string model, string backend, long parameters)
    {
        var metrics = ClassificationMetrics.FromScores([0, 1, 2, 3, 4], Enumerable.Range(0, 5).Select(i => Enumerable.Range(0, 5).Select(c => c == i ? 0.9 : 0.025).ToArray()).ToArray());
        var epochs = Enumerable.Range(1, 12).Select(e => new EpochLog(e, 1.0 / e, 0.5, 1.1 / e, 0.5, 1e-3f, 1234.5)).ToList();
        return new ModelResult(model, backend, "NVIDIA H100 80GB HBM3", metrics, parameters, epochs, 12, 14814.2, null);
    }

    [Test]
    public void The_comparison_table_reads_in_80_columns_with_every_model_name_whole()
    {
        // ecg compare runs every model on one accelerator, named in the title line rather than in a column.
        {
            var results = Zoo.AllNames.Select(m => Result(m, "cuda", 1_548_933)).ToList();
            var text = CliCommon.ComparisonText(results);
            var lines = text.TrimEnd('\n').Split('\n');
            Assert.That(lines.Max(l => l.Length), Is.LessThanOrEqualTo(80), text);
            foreach (var m in Zoo.AllNames) Assert.That(lines.Any(l => l.StartsWith(m + " ")), m);
            Assert.That(text, Does.Not.Contain("…").And.Not.Contain("│"), "no cut cells, no box drawing");
        }
    }

    [Test]
    public void Epoch_axes_have_whole_number_ticks()
    {
        Assert.That(Svg.XTicks(1, 9, whole: true), Is.EqualTo(new double[] { 1, 3, 5, 7, 9 }));
        Assert.That(Svg.XTicks(1, 1, whole: true).First(), Is.EqualTo(1));
        var epochs = Enumerable.Range(1, 10).Select(e => (double)e).ToList();
        var svg = XDocument.Parse(Svg.LineChart("Loss", "epoch", "loss", [new Series("loss", epochs, epochs.Select(e => 1 / e).ToList())]));
        var axisLabels = svg.Descendants().Where(e => e.Name.LocalName == "text" && e.Attribute("text-anchor")?.Value == "middle" && e.Attribute("font-size")?.Value == "10")
            .Select(e => e.Value).ToList();
        Assert.That(axisLabels, Is.Not.Empty);
        Assert.That(axisLabels, Has.All.Matches<string>(v => int.TryParse(v, out _)), string.Join(" ", axisLabels));
    }
}
