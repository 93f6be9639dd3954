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
        // DESIGN.md: about 109,490 beats (N ≈ 90,600, S ≈ 2,780, V ≈ 7,240, F ≈ 800, Q ≈ 8,040).
        Assert.That(beats.Count, Is.InRange(108_000, 110_500));
        Assert.That(counts[0], Is.InRange(89_000, 91_500));
        Assert.That(counts[1], Is.InRange(2_600, 2_900));
        Assert.That(counts[2], Is.InRange(7_000, 7_400));
        Assert.That(counts[3], Is.InRange(750, 850));
        Assert.That(counts[4], Is.InRange(7_800, 8_200));
    }
}
