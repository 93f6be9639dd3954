using EcgGpu.Data;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>The RR-interval features: on hand-made peaks, through their file, and on record 100 against an independent computation.</summary>
public sealed class RrFeaturesTests
{
    [Test]
    public void A_premature_beat_has_a_short_pre_rr_and_a_long_post_rr()
    {
        // 1 s rhythm at 100 Hz; the beat at position 6 comes 0.4 s early and is followed by a compensatory pause.
        int[] peaks = [0, 100, 200, 300, 400, 500, 560, 700, 800, 900, 1000, 1100];
        var f = RrFeatures.Compute(peaks, [6, 0, 11], 100);
        var premature = f.AsSpan(0, RrFeatures.Count).ToArray();
        double local = (100 + 100 + 100 + 100 + 60 + 140 + 100 + 100 + 100 + 100) / 10.0 / 100; // intervals 1..10
        double record = 1100.0 / 11 / 100;
        Assert.That(premature[0], Is.EqualTo(0.6).Within(1e-6), "pre_rr");
        Assert.That(premature[1], Is.EqualTo(1.4).Within(1e-6), "post_rr");
        Assert.That(premature[2], Is.EqualTo(local).Within(1e-6), "local_rr");
        Assert.That(premature[3], Is.EqualTo(record).Within(1e-6), "record_rr");
        Assert.That(premature[4], Is.EqualTo(0.6 / local).Within(1e-6), "pre_local");
        Assert.That(premature[5], Is.EqualTo(1.4 / local).Within(1e-6), "post_local");
        Assert.That(premature[6], Is.EqualTo(0.6 / record).Within(1e-6), "pre_record");
        Assert.That(premature[7], Is.EqualTo(1.4 / record).Within(1e-6), "post_record");
        Assert.That(premature[8], Is.EqualTo(local / record).Within(1e-6), "local_record");
        var first = f.AsSpan(RrFeatures.Count, RrFeatures.Count);
        Assert.That((first[0], first[1]), Is.EqualTo((1f, 1f)), "the first beat takes its post-RR as pre-RR");
        Assert.That(first[2], Is.EqualTo(1.0).Within(1e-6), "local average clipped to intervals 0..4");
        var last = f.AsSpan(2 * RrFeatures.Count, RrFeatures.Count);
        Assert.That((last[0], last[1]), Is.EqualTo((1f, 1f)), "the last beat takes its pre-RR as post-RR");
    }

    [Test]
    public void Peaks_that_do_not_ascend_or_a_zero_rate_are_refused()
    {
        Assert.Throws<ArgumentException>(() => RrFeatures.Compute([0, 100, 100], [1], 100));
        Assert.Throws<ArgumentException>(() => RrFeatures.Compute([0], [0], 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => RrFeatures.Compute([0, 100], [0], 0));
    }

    [Test]
    public void The_features_file_round_trips_and_a_bad_field_is_named()
    {
        var dir = Directory.CreateTempSubdirectory("ecg-rr-").FullName;
        try
        {
            var beats = new BeatSet(new float[3 * 187], [0, 1, 2])
            {
                Records = ["100", "100", "101"], SampleIndices = [10, 300, 20],
                Rr = Enumerable.Range(0, 3 * RrFeatures.Count).Select(i => 0.5f + i / 100f).ToArray(),
            };
            var path = Path.Combine(dir, "mitbih_train_rr.csv");
            Assert.That(RrFeatures.PathBeside(Path.Combine(dir, "mitbih_train.csv.gz")), Is.EqualTo(path));
            RrFeatures.Write(path, beats);
            var bare = beats with { Records = null, SampleIndices = null, Rr = null };
            var back = RrFeatures.Attach(path, bare);
            Assert.That(back.Rr, Is.EqualTo(beats.Rr));
            Assert.That(back.Records, Is.EqualTo(beats.Records));
            Assert.That(back.SampleIndices, Is.EqualTo(beats.SampleIndices));
            Assert.That(back.Take([2, 0]).Rr!.Take(RrFeatures.Count), Is.EqualTo(beats.Rr!.Skip(2 * RrFeatures.Count).Take(RrFeatures.Count)));
            Assert.That(BeatSet.Concat(back, back).Rr, Has.Length.EqualTo(6 * RrFeatures.Count));

            var lines = File.ReadAllLines(path);
            lines[2] = lines[2].Replace(",0.6", ",NaN");
            File.WriteAllLines(path, lines);
            var e = Assert.Throws<DataFormatException>(() => RrFeatures.Attach(path, bare));
            Assert.That(e!.Message, Does.Contain(path).And.Contain("line 3"));
            var e2 = Assert.Throws<DataFormatException>(() => RrFeatures.Attach(path, bare.Take([0, 1])));
            Assert.That(e2!.Message, Does.Contain("3 rows of RR features for 2 beats"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void Record_100_features_equal_an_independent_computation_from_the_annotation_file()
    {
        var dir = Mitdb.FindDirectory();
        if (dir is null) Assert.Ignore("MIT-BIH records not found: set ECG_MITDB or place them in ../shared/data/mitdb");
        var beats = Mitdb.ExtractBeats(dir!, "100", out var where);
        Assert.That(beats.Rr, Has.Length.EqualTo(beats.Count * RrFeatures.Count));

        // The annotation file decoded here on its own: 16-bit little-endian words, code in the top 6 bits.
        var bytes = File.ReadAllBytes(Path.Combine(dir!, "100.atr"));
        var peaks = new List<long>();
        long time = 0;
        for (int p = 0; p + 1 < bytes.Length;)
        {
            int word = BitConverter.ToUInt16(bytes, p), code = word >> 10, value = word & 1023;
            p += 2;
            if (code == 0 && value == 0) break;
            if (code == 59) { time += (BitConverter.ToUInt16(bytes, p) << 16) | BitConverter.ToUInt16(bytes, p + 2); p += 4; }
            else if (code == 63) p += value + value % 2;
            else if (code < 59) { time += value; if (code is (>= 1 and <= 13) or 34 or 35 or 38) peaks.Add(time); }
        }
        var rr = peaks.Zip(peaks.Skip(1), (a, b) => (b - a) / 360.0).ToArray();
        double recordRr = rr.Average();
        Assert.That(recordRr, Is.EqualTo(1805.6 / 2272).Within(0.01), "record 100: 2,273 beats in 30:06 (PhysioNet)");

        for (int row = 0; row < beats.Count; row++)
        {
            int j = peaks.IndexOf(where[row]);
            Assert.That(j, Is.GreaterThanOrEqualTo(0), $"row {row}: its R peak is a beat annotation");
            double pre = j > 0 ? rr[j - 1] : rr[0], post = j < rr.Length ? rr[j] : rr[^1];
            double local = rr[Math.Max(0, j - 5)..Math.Min(rr.Length, j + 5)].Average();
            double[] expected = [pre, post, local, recordRr, pre / local, post / local, pre / recordRr, post / recordRr, local / recordRr];
            var actual = beats.Rr!.AsSpan(row * RrFeatures.Count, RrFeatures.Count).ToArray().Select(v => (double)v);
            Assert.That(actual, Is.EqualTo(expected).Within(1e-5), $"row {row} (sample {where[row]})");
        }

        // The 33 atrial premature beats are early: their pre/local ratio is well below that of the normal beats.
        double Mean(BeatClass c, int k) => Enumerable.Range(0, beats.Count).Where(r => beats.Labels[r] == (int)c).Average(r => beats.Rr![r * RrFeatures.Count + k]);
        TestContext.Out.WriteLine($"pre_local: N {Mean(BeatClass.N, 4):F3}, S {Mean(BeatClass.S, 4):F3}");
        Assert.That(Mean(BeatClass.N, 4), Is.EqualTo(1.0).Within(0.05));
        Assert.That(Mean(BeatClass.S, 4), Is.LessThan(0.8));
    }
}
