using EcgGpu.Data;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>The MIT-BIH reader on the real records ($ECG_MITDB, else ../shared/data/mitdb); skipped where absent.</summary>
public sealed class MitdbTests
{
    private static string Dir()
    {
        var dir = Mitdb.FindDirectory();
        if (dir is null) Assert.Ignore("MIT-BIH records not found: set ECG_MITDB or place them in ../shared/data/mitdb");
        return dir!;
    }

    [Test]
    public void Record_100_reads_with_valid_checksums_and_its_known_beats()
    {
        var dir = Dir();
        var header = Mitdb.ReadHeader(dir, "100");
        Assert.That((header.Frequency, header.Samples, header.SignalInfo[0].Description), Is.EqualTo((360.0, 650000, "MLII")));
        var signals = Mitdb.ReadSignals(dir, header);
        Assert.That(signals[0][0], Is.EqualTo(995), "first MLII sample as the header records it");
        Assert.That(signals[1][0], Is.EqualTo(1011), "first V5 sample");
        Assert.That(signals[0], Has.Length.EqualTo(650000));
        Assert.That(header.SignalInfo.Select(i => i.Checksum), Is.EqualTo(new[] { -22131, 20052 }), "ReadSignals verified both against the data");
        var annotations = Mitdb.ReadAnnotations(dir, "100");
        // MIT codes: 1 = N, 8 = A (atrial premature), 5 = V.
        Assert.That((annotations.Count(a => a.Code == 1), annotations.Count(a => a.Code == 8), annotations.Count(a => a.Code == 5)), Is.EqualTo((2239, 33, 1)));
        Assert.That(annotations.Count(a => Mitdb.AamiClass(a.Code) is not null), Is.EqualTo(2273), "beat annotations");
        var beats = Mitdb.ExtractBeats(dir, "100", out var where);
        var counts = beats.Labels.GroupBy(l => (BeatClass)l).ToDictionary(g => g.Key, g => g.Count());
        TestContext.Out.WriteLine(string.Join(", ", counts.Select(kv => $"{kv.Key} {kv.Value}")));
        // PhysioNet's table for record 100: 2,239 N, 33 A, 1 V (a couple of edge beats may lack a window).
        Assert.That(counts[BeatClass.N], Is.InRange(2230, 2239));
        Assert.That(counts[BeatClass.S], Is.EqualTo(33));
        Assert.That(counts[BeatClass.V], Is.EqualTo(1));
        Assert.That(beats.Samples, Has.All.InRange(0f, 1f));
    }

    [Test]
    public void A_corrupted_signal_file_is_refused_naming_it()
    {
        var dir = Dir();
        var copy = Directory.CreateTempSubdirectory("ecg-mitdb-").FullName;
        try
        {
            foreach (var ext in new[] { "hea", "dat" }) File.Copy(Path.Combine(dir, $"100.{ext}"), Path.Combine(copy, $"100.{ext}"));
            var dat = Path.Combine(copy, "100.dat");
            var bytes = File.ReadAllBytes(dat);
            bytes[3000] ^= 0x01;
            File.WriteAllBytes(dat, bytes);
            var e = Assert.Throws<InvalidDataException>(() => Mitdb.ReadSignals(copy, Mitdb.ReadHeader(copy, "100")));
            Assert.That(e!.Message, Does.Contain("100.dat").And.Contain("checksum"));
        }
        finally { Directory.Delete(copy, true); }
    }

    [Test]
    public void All_records_give_about_the_published_class_counts()
    {
        var dir = Dir();
        var (beats, records) = Mitdb.ExtractAll(dir);
        var counts = Enumerable.Range(0, 5).Select(c => beats.Labels.Count(l => l == c)).ToArray();
        TestContext.Out.WriteLine($"{beats.Count} beats from {records.Distinct().Count()} records: N {counts[0]}, S {counts[1]}, V {counts[2]}, F {counts[3]}, Q {counts[4]}");
        // DESIGN.md: about 109,490 beats (N ≈ 90,600, S ≈ 2,780, V ≈ 7,240, F ≈ 800, Q ≈ 8,040); each within 0.5 %.
        Assert.That(beats.Count, Is.EqualTo(109_490).Within(0.5).Percent);
        var expected = new[] { 90_600, 2_780, 7_240, 800, 8_040 };
        for (int c = 0; c < 5; c++) Assert.That(counts[c], Is.EqualTo(expected[c]).Within(0.5).Percent, ((BeatClass)c).ToString());
    }
}
