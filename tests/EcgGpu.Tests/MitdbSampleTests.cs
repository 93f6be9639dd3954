using EcgGpu.Data;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>The MIT-BIH sample shipped as the default data: it loads with its records and RR features, and the records regenerate it byte for byte.</summary>
public sealed class MitdbSampleTests
{
    private static string Shipped()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "data", MitdbSample.FolderName);
            if (File.Exists(Path.Combine(candidate, "manifest.json")) && Directory.Exists(Path.Combine(dir.FullName, "src"))) return candidate;
        }
        Assert.Fail("data/mitbih-sample not found above the test directory");
        return "";
    }

    [Test]
    public void The_shipped_sample_loads_as_frames_with_records_rr_features_and_attribution()
    {
        var dir = Shipped();
        var train = BeatFrame.ReadKaggleCsv(Path.Combine(dir, KaggleCsv.TrainFile + ".gz"));
        var test = BeatFrame.ReadKaggleCsv(Path.Combine(dir, KaggleCsv.TestFile + ".gz"));
        Assert.That(train.Rows.Count, Is.EqualTo(MitdbSample.DefaultTrain));
        Assert.That(test.Rows.Count, Is.EqualTo(MitdbSample.DefaultTest));
        var beats = train.ToBeatSet();
        Assert.That(beats.Length, Is.EqualTo(187));
        Assert.That(beats.Records!.Distinct().Count(), Is.GreaterThan(40), "beats of most of the 48 records");
        Assert.That(beats.Rr, Is.Not.Null);
        Assert.That(beats.ClassCounts().All(n => n > 0), "every class present");
        Assert.That(File.ReadAllText(Path.Combine(dir, "README.md")), Does.Contain("Open Data Commons Attribution").And.Contain("Moody").And.Contain("Goldberger"));
        Assert.That(MitdbSample.FindShipped(), Is.Not.Null, "copied beside the program");
    }

    [Test]
    public void The_records_regenerate_the_sample_byte_for_byte()
    {
        var mitdb = Mitdb.FindDirectory();
        if (mitdb is null) Assert.Ignore("MIT-BIH records not found ($ECG_MITDB or ../shared/data/mitdb)");
        var shipped = Shipped();
        var again = Path.Combine(Path.GetTempPath(), "ecg-sample-" + Guid.NewGuid().ToString("N"));
        try
        {
            MitdbSample.Write(mitdb, again);
            var files = Directory.GetFiles(shipped).Select(Path.GetFileName).Order().ToArray();
            Assert.That(Directory.GetFiles(again).Select(Path.GetFileName).Order(), Is.EqualTo(files));
            foreach (var f in files)
                Assert.That(File.ReadAllBytes(Path.Combine(again, f!)), Is.EqualTo(File.ReadAllBytes(Path.Combine(shipped, f!))), f);
        }
        finally
        {
            if (Directory.Exists(again)) Directory.Delete(again, recursive: true);
        }
    }
}
