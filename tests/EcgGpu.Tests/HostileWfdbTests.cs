using System.Text;
using EcgGpu.Data;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>
/// WFDB records a hostile user would hand over, generated here (a minute of two-signal format 212 at
/// 360 Hz with a beat every 0.8 s): garbled headers, damaged annotation streams, orphan files, a cut cache.
/// </summary>
public sealed class HostileWfdbTests
{
    private const int Rate = 360, Samples = 60 * Rate, Interval = 288;
    private string _dir = "";

    [SetUp]
    public void MakeDirectory() => _dir = Directory.CreateTempSubdirectory("ecg-hostile-wfdb-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_dir, recursive: true);

    /// <summary>Beats (MIT code 1, every fifth code 5) at every <see cref="Interval"/> samples from 100.</summary>
    private static int[] BeatSamples => Enumerable.Range(0, (Samples - 200) / Interval).Select(i => 100 + i * Interval).ToArray();

    /// <summary>Writes record <paramref name="name"/>: header, format-212 signals with true checksums, annotations.</summary>
    internal static void WriteRecord(string dir, string name, string? header = null, byte[]? annotations = null)
    {
        var a = new int[Samples];
        var b = new int[Samples];
        foreach (var peak in BeatSamples)
            for (int k = -6; k <= 6; k++) { a[peak + k] = 600 - 90 * Math.Abs(k); b[peak + k] = 300 - 40 * Math.Abs(k); }
        var dat = new byte[Samples * 3];
        for (int i = 0; i < Samples; i++)
        {
            int s0 = a[i] & 0xFFF, s1 = b[i] & 0xFFF;
            dat[3 * i] = (byte)s0;
            dat[3 * i + 1] = (byte)((s0 >> 8) | ((s1 >> 8) << 4));
            dat[3 * i + 2] = (byte)s1;
        }
        File.WriteAllBytes(Path.Combine(dir, name + ".dat"), dat);
        short Sum(int[] v) { short sum = 0; foreach (var x in v) sum = unchecked((short)(sum + x)); return sum; }
        header ??= $"{name} 2 {Rate} {Samples}\n{name}.dat 212 200 11 1024 0 {Sum(a)} 0 MLII\n{name}.dat 212 200 11 1024 0 {Sum(b)} 0 V1\n";
        File.WriteAllText(Path.Combine(dir, name + ".hea"), header);
        File.WriteAllBytes(Path.Combine(dir, name + ".atr"), annotations ?? Annotations());
    }

    /// <summary>A valid MIT annotation stream for <see cref="BeatSamples"/>, with one AUX word, ended by the end marker.</summary>
    internal static byte[] Annotations()
    {
        var words = new List<byte>();
        void Word(int code, int value) { int w = (code << 10) | value; words.Add((byte)w); words.Add((byte)(w >> 8)); }
        int last = 0, i = 0;
        foreach (var peak in BeatSamples)
        {
            Word(i++ % 5 == 4 ? 5 : 1, peak - last);
            last = peak;
            if (i == 1) { Word(63, 3); words.AddRange("(N\0\0"u8.ToArray()); }
        }
        Word(0, 0);
        return words.ToArray();
    }

    private InvalidDataException Refused(string record, params string[] mentions)
    {
        var e = Assert.Catch<Exception>(() => Mitdb.ExtractBeats(_dir, record, out _))!;
        TestContext.Out.WriteLine(e.Message);
        Assert.That(e, Is.TypeOf<InvalidDataException>(), e.ToString());
        foreach (var m in mentions) Assert.That(e.Message, Does.Contain(m));
        return (InvalidDataException)e;
    }

    [Test]
    public void A_valid_generated_record_gives_every_beat()
    {
        WriteRecord(_dir, "100");
        var beats = Mitdb.ExtractBeats(_dir, "100", out _);
        Assert.That(beats.Count, Is.InRange(BeatSamples.Length - 3, BeatSamples.Length));
        Assert.That(beats.Labels.Count(l => l == (int)BeatClass.V), Is.GreaterThan(10));
    }

    [TestCase("100 two 360 21600\n", "line 1", "signals 'two'")]
    [TestCase("100 2 fast 21600\n", "line 1", "sampling frequency 'fast'")]
    [TestCase("100 2 0 21600\n", "line 1", "sampling frequency 0")]
    [TestCase("100 2 -360 21600\n", "line 1", "sampling frequency")]
    [TestCase("100 0 360 21600\n", "line 1", "0 signals")]
    [TestCase("100 2 360 0\n", "line 1", "0 samples")]
    [TestCase("100 2 360\n", "line 1", "needs record name")]
    [TestCase("101 2 360 21600\n", "line 1", "record name '101'")]
    [TestCase("\n# only a comment\n", "", "empty header")]
    [TestCase("100 2 360 21600\n100.dat 212 200 11 1024 0 0 0 MLII\n", "", "declares 2 signals")]
    [TestCase("100 2 360 21600\n100.dat 212 200\n100.dat 212 200\n", "line 2", "3 fields")]
    [TestCase("100 2 360 21600\n100.dat 212 high 11 1024 0 0 0 MLII\n100.dat 212 200 11 1024 0 0 0 V1\n", "line 2", "gain 'high'")]
    [TestCase("100 2 360 21600\n100.dat 212 200 11 1024 0 sum 0 MLII\n100.dat 212 200 11 1024 0 0 0 V1\n", "line 2", "checksum 'sum'")]
    [TestCase("100 2 360 21600\n../x.dat 212 200 11 1024 0 0 0 MLII\n100.dat 212 200 11 1024 0 0 0 V1\n", "line 2", "not in the record's folder")]
    [TestCase("100 2 360 21600\n100.dat 16 200 16 1024 0 0 0 MLII\n100.dat 16 200 16 1024 0 0 0 V1\n", "", "format 16")]
    [TestCase("100 1 360 21600\n100.dat 212 200 11 1024 0 0 0 MLII\n", "", "1 signal(s)")]
    public void A_bad_header_is_refused_naming_file_and_line(string header, string line, string what)
    {
        WriteRecord(_dir, "100", header);
        Refused("100", Path.Combine(_dir, "100.hea"), line, what);
    }

    [Test]
    public void Damaged_annotation_streams_are_refused_naming_the_byte()
    {
        var good = Annotations();
        var random = new byte[good.Length];
        new Random(3).NextBytes(random);
        var zeroed = (byte[])good.Clone();
        Array.Clear(zeroed, 40, 20);
        var unknown = (byte[])good.Clone();
        unknown[21] = 52 << 2;   // code 52 in the high six bits of the 11th word
        var auxPast = good[..^2].Concat(new byte[] { 200, 63 << 2 }).ToArray();   // AUX of 200 bytes at the end
        var pastEnd = good[..^2].Concat(new byte[] { 0xFF, 0x07 }).Concat(Enumerable.Repeat(new byte[] { 0xFF, 0x07 }, 40).SelectMany(w => w)).Concat(new byte[] { 0, 0 }).ToArray();
        var cases = new (string Name, byte[] Bytes, string Mention)[]
        {
            ("empty", [], "empty"),
            ("random", random, "byte"),
            ("odd-cut", good[..(good.Length / 2 | 1)], "cut at byte"),
            ("even-cut", good[..(good.Length / 2 & ~1)], "no end marker"),
            ("no-end", good[..^2], "no end marker"),
            ("zeroed", zeroed, "end marker at byte"),
            ("aux-past-end", auxPast, "AUX at byte"),
            ("unknown-code", unknown, "unknown annotation code 52 at byte 20"),
            ("past-record", pastEnd, "past the record's"),
            ("too-few-beats", good[..8].Concat(new byte[] { 0, 0 }).ToArray(), "beat annotations for 1.0 minutes"),
        };
        foreach (var (name, bytes, mention) in cases)
        {
            WriteRecord(_dir, "100", annotations: bytes);
            TestContext.Out.Write($"{name}: ");
            Refused("100", Path.Combine(_dir, "100.atr"), mention);
        }
    }

    [Test]
    public void Signal_and_annotation_files_without_a_header_are_named()
    {
        WriteRecord(_dir, "100");
        WriteRecord(_dir, "105");
        File.Delete(Path.Combine(_dir, "105.hea"));
        var e = Assert.Throws<FileNotFoundException>(() => Mitdb.Records(_dir))!;
        TestContext.Out.WriteLine(e.Message);
        Assert.That(e.Message, Does.Contain("105.dat").And.Contain("105.atr").And.Contain("105.hea"));
        Assert.That(() => MitdbPreparation.Run(_dir, Path.Combine(_dir, "out"), SplitKind.Kaggle, 1), Throws.TypeOf<FileNotFoundException>());
        File.Delete(Path.Combine(_dir, "100.atr"));
        File.Delete(Path.Combine(_dir, "105.dat"));
        File.Delete(Path.Combine(_dir, "105.atr"));
        Assert.That(() => Mitdb.ExtractBeats(_dir, "100", out _), Throws.TypeOf<FileNotFoundException>().With.Message.Contains("100.atr"));
    }

    [Test]
    public void A_cache_cut_short_is_checked_against_its_manifest_and_rebuilt()
    {
        var records = Path.Combine(_dir, "records");
        Directory.CreateDirectory(records);
        WriteRecord(records, "100");
        WriteRecord(records, "101");
        var cache = Path.Combine(_dir, "cache");
        var (train, test) = MitdbPreparation.LoadCached(records, SplitKind.Kaggle, 1, cache);
        var trainFile = Directory.GetFiles(cache, KaggleCsv.TrainFile, SearchOption.AllDirectories).Single();
        var lines = File.ReadAllLines(trainFile);
        foreach (var cut in new[] { string.Join("\n", lines[..^5]) + "\n", string.Join("\n", lines)[..^300] })
        {
            File.WriteAllText(trainFile, cut);
            var messages = new List<string>();
            var (again, _) = MitdbPreparation.LoadCached(records, SplitKind.Kaggle, 1, cache, new SyncProgress(messages.Add));
            TestContext.Out.WriteLine(string.Join(" | ", messages));
            Assert.That(messages, Has.Some.Contains("do not match their manifest"));
            Assert.That(again.Count, Is.EqualTo(train.Count));
            Assert.That(again.Samples, Is.EqualTo(train.Samples));
        }
        Assert.That(File.ReadAllLines(trainFile), Has.Length.EqualTo(lines.Length), "the cache was rewritten");
        Assert.That(test.Count, Is.GreaterThan(0));
    }

    private sealed class SyncProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
