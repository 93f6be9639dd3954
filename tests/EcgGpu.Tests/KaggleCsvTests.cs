using System.IO.Compression;
using System.Text;
using EcgGpu.Data;
using NUnit.Framework;

namespace EcgGpu.Tests;

public sealed class KaggleCsvTests
{
    private string _dir = "";

    [SetUp]
    public void MakeDirectory() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "ecg-csv-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_dir, recursive: true);

    private static BeatSet Small() => SyntheticBeats.Generate(25, seed: 3);

    [TestCase("beats.csv")]
    [TestCase("beats.csv.gz")]
    public void RoundTripKeepsEveryValueAndLabel(string name)
    {
        var beats = Small();
        var path = Path.Combine(_dir, name);
        KaggleCsv.Write(path, beats);
        Assert.That(Directory.GetFiles(_dir), Has.Length.EqualTo(1), "no temporary file left behind");
        var back = KaggleCsv.Read(path);
        Assert.That(back.Labels, Is.EqualTo(beats.Labels));
        Assert.That(back.Samples, Is.EqualTo(beats.Samples), "%.18e keeps every float exactly");
        if (name.EndsWith(".gz")) Assert.That(File.ReadAllBytes(path)[..2], Is.EqualTo(new byte[] { 0x1f, 0x8b }));
    }

    [Test]
    public void WritesNumbersAsNumpyPercentEighteenE()
    {
        var beats = new BeatSet([1f, 0.5f, 0f], [3], 3);
        var path = Path.Combine(_dir, "one.csv");
        KaggleCsv.Write(path, beats);
        Assert.That(File.ReadAllText(path), Is.EqualTo(
            "1.000000000000000000e+00,5.000000000000000000e-01,0.000000000000000000e+00,3.000000000000000000e+00\n"));
        Assert.That(KaggleCsv.Format(1.5e-120, new char[40]).ToString(), Is.EqualTo("1.500000000000000054e-120"));   // python: '%.18e' % 1.5e-120
        Assert.That(KaggleCsv.Format(0.1, new char[40]).ToString(), Is.EqualTo("1.000000000000000056e-01"));
    }

    [Test]
    public void ReadsAHeaderRowAndPandasIndexColumn()
    {
        var sb = new StringBuilder(",a,b,label\n");
        sb.Append("0,0.1,0.2,1\n1,0.3,0.4,4.0\n");
        var path = Path.Combine(_dir, "pandas.csv");
        File.WriteAllText(path, sb.ToString());
        var beats = KaggleCsv.Read(path, length: 2);
        Assert.That(beats.Labels, Is.EqualTo(new[] { 1, 4 }));
        Assert.That(beats.Samples, Is.EqualTo(new[] { 0.1f, 0.2f, 0.3f, 0.4f }));
        Assert.That(beats.ColumnNames, Is.EqualTo(new[] { "a", "b" }));

        File.WriteAllText(path, "x0,x1,y\r\n0.5,0.25,2\r\n");
        Assert.That(KaggleCsv.Read(path, length: 2).Labels, Is.EqualTo(new[] { 2 }));
        File.WriteAllText(path, "0,1,2\n0.5,0.25,2\n");   // pandas to_csv(index=False) of a frame read without a header
        Assert.That(KaggleCsv.Read(path, length: 2).Labels, Is.EqualTo(new[] { 2 }));
    }

    [TestCase("0.1,0.2\n", "line 1", "2 columns")]
    [TestCase("0.1,0.2,0\n0.1,0.2,0.3,0\n", "line 2", "4 columns, expected 3")]
    [TestCase("0.1,0.2,0\n0.1,abc,0\n", "line 2, column 2", "'abc' is not a number")]
    [TestCase("0.1,NaN,0\n", "line 1, column 2", "not a finite value")]
    [TestCase("0.1,0.2,inf\n", "line 1, column 3", "not a finite value")]
    [TestCase("0.1,1e60,0\n", "line 1, column 2", "not a finite value")]
    [TestCase("0.1,0.2,1.5\n", "line 1, column 3", "'1.5' is not a whole class 0-4")]
    [TestCase("0.1,0.2,5\n", "line 1, column 3", "'5' is not a whole class")]
    [TestCase("0.1,0.2,-1\n", "line 1, column 3", "not a whole class")]
    [TestCase("", "", "no beat rows")]
    [TestCase("a,b,label\n", "", "no beat rows")]
    public void RefusesMalformedFilesNamingFileLineAndColumn(string content, string where, string what)
    {
        var path = Path.Combine(_dir, "bad.csv");
        File.WriteAllText(path, content);
        var e = Assert.Throws<DataFormatException>(() => KaggleCsv.Read(path, length: 2))!;
        Assert.That(e.Message, Does.StartWith(path));
        Assert.That(e.Message, Does.Contain(where));
        Assert.That(e.Message, Does.Contain(what));
    }

    [Test]
    public void RefusesTheSameProblemsInsideAGzipFile()
    {
        var path = Path.Combine(_dir, "bad.csv.gz");
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest))
            gz.Write("0.1,0.2,0\n0.1,0.2,7\n"u8);
        Assert.That(() => KaggleCsv.Read(path, length: 2), Throws.TypeOf<DataFormatException>().With.Message.Contains("line 2, column 3"));
    }

    [Test]
    public void AMissingFileIsNamed()
        => Assert.That(() => KaggleCsv.Read(Path.Combine(_dir, "nope.csv")), Throws.TypeOf<FileNotFoundException>().With.Message.Contains("nope.csv"));

    [Test]
    public void DescribeMatchesPandas()
    {
        // pandas: pd.DataFrame({'0':[1,2,3,4], '1':[0,0,0,10]}).describe()
        var beats = new BeatSet([1, 0, 2, 0, 3, 0, 4, 10], [0, 1, 2, 3], 2);
        var d = beats.Describe();
        Assert.That(d[0].Mean, Is.EqualTo(2.5));
        Assert.That(d[0].Std, Is.EqualTo(1.2909944487358056).Within(1e-12));
        Assert.That(new[] { d[0].Min, d[0].Q25, d[0].Median, d[0].Q75, d[0].Max }, Is.EqualTo(new[] { 1, 1.75, 2.5, 3.25, 4 }));
        Assert.That(new[] { d[1].Q25, d[1].Median, d[1].Q75, d[1].Std }, Is.EqualTo(new[] { 0, 0, 2.5, 5 }));
        Assert.That(beats.ClassCounts(), Is.EqualTo(new long[] { 1, 1, 1, 1, 0 }));
    }
}
