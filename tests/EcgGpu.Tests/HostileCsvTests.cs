using System.IO.Compression;
using System.Text;
using EcgGpu.Data;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>Beat files a hostile user would hand over: out-of-range values, cut or corrupt gzip, folders.</summary>
public sealed class HostileCsvTests
{
    private string _dir = "";

    [SetUp]
    public void MakeDirectory() => _dir = Directory.CreateTempSubdirectory("ecg-hostile-csv-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static void AssertRefused(Action read, string path, params string[] mentions)
    {
        var e = Assert.Throws<DataFormatException>(() => read())!;
        TestContext.Out.WriteLine(e.Message);
        Assert.That(e.Message, Does.StartWith(path));
        foreach (var m in mentions) Assert.That(e.Message, Does.Contain(m));
    }

    [TestCase("0.1,1e30,0\n", "line 1, column 2")]
    [TestCase("0.1,0.2,0\n1e20,1e25,1\n", "line 2, column 1")]
    [TestCase("0.1,-0.5,0\n", "line 1, column 2")]
    [TestCase("0.1,1.01,0\n", "line 1, column 2")]
    [TestCase("0.1,-1e-5,0\n", "line 1, column 2")]
    public void Samples_outside_zero_to_one_are_refused_naming_line_and_column(string content, string where)
    {
        var path = Write("range.csv", content);
        AssertRefused(() => KaggleCsv.Read(path, length: 2), path, where, "outside 0..1");
        AssertRefused(() => KaggleCsv.ReadForPrediction(path, length: 2), path, where, "outside 0..1");
    }

    [Test]
    public void Rounding_just_outside_zero_to_one_is_accepted()
    {
        var path = Write("rounding.csv", "1.0000001,-0.0000001,3\n");
        Assert.That(KaggleCsv.Read(path, length: 2).Labels, Is.EqualTo(new[] { 3 }));
    }

    /// <summary>A gzip file of <paramref name="rows"/> rows; the length of the file after a sync flush at <paramref name="flushAfter"/> rows.</summary>
    private string Gzip(string name, int rows, int flushAfter, out long flushedLength)
    {
        var path = Path.Combine(_dir, name);
        flushedLength = 0;
        using var file = File.Create(path);
        using (var gz = new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true))
            for (int r = 0; r < rows; r++)
            {
                gz.Write(Encoding.ASCII.GetBytes($"0.{r % 10},0.5,{r % 5}\n"));
                if (r + 1 == flushAfter) { gz.Flush(); flushedLength = file.Length; }
            }
        return path;
    }

    [Test]
    public void A_gzip_file_cut_at_a_line_boundary_or_missing_its_trailer_is_refused()
    {
        var path = Gzip("cut.csv.gz", 400, 200, out long flushed);
        Assert.That(KaggleCsv.Read(path, length: 2).Count, Is.EqualTo(400), "the whole file reads");
        var bytes = File.ReadAllBytes(path);
        var atLine = Path.Combine(_dir, "at-line.csv.gz");
        File.WriteAllBytes(atLine, bytes[..(int)flushed]);   // 200 complete rows, no end of stream, no trailer
        AssertRefused(() => KaggleCsv.Read(atLine, length: 2), atLine, "truncated or corrupt gzip");
        var noTrailer = Path.Combine(_dir, "no-trailer.csv.gz");
        File.WriteAllBytes(noTrailer, bytes[..^8]);
        AssertRefused(() => KaggleCsv.Read(noTrailer, length: 2), noTrailer, "truncated or corrupt gzip");
        var midRow = Path.Combine(_dir, "mid-row.csv.gz");
        File.WriteAllBytes(midRow, bytes[..(bytes.Length / 2 + 3)]);
        AssertRefused(() => KaggleCsv.Read(midRow, length: 2), midRow, "truncated or corrupt gzip");
        AssertRefused(() => KaggleCsv.ReadForPrediction(midRow, length: 2), midRow, "truncated or corrupt gzip");
    }

    [Test]
    public void A_gzip_file_with_a_bad_crc_or_garbage_is_refused_naming_it()
    {
        var path = Gzip("good.csv.gz", 50, 0, out _);
        var bytes = File.ReadAllBytes(path);
        var badCrc = Path.Combine(_dir, "bad-crc.csv.gz");
        var flipped = (byte[])bytes.Clone();
        flipped[^6] ^= 0x10;
        File.WriteAllBytes(badCrc, flipped);
        AssertRefused(() => KaggleCsv.Read(badCrc, length: 2), badCrc, "truncated or corrupt gzip", "CRC-32");
        AssertRefused(() => KaggleCsv.ReadForPrediction(badCrc, length: 2), badCrc, "truncated or corrupt gzip");
        var badLength = Path.Combine(_dir, "bad-length.csv.gz");
        flipped = (byte[])bytes.Clone();
        flipped[^2] ^= 0x10;
        File.WriteAllBytes(badLength, flipped);
        AssertRefused(() => KaggleCsv.Read(badLength, length: 2), badLength, "truncated or corrupt gzip");
        var garbage = Path.Combine(_dir, "garbage.csv.gz");
        var random = new byte[4000];
        new Random(5).NextBytes(random);
        random[0] = 0x1f; random[1] = 0x8b;
        File.WriteAllBytes(garbage, random);
        AssertRefused(() => KaggleCsv.Read(garbage, length: 2), garbage, "truncated or corrupt gzip");
        var header = Path.Combine(_dir, "header-only.csv.gz");
        File.WriteAllBytes(header, bytes[..12]);
        AssertRefused(() => KaggleCsv.Read(header, length: 2), header, "truncated or corrupt gzip");
    }

    [Test]
    public void A_folder_is_not_reported_as_missing()
    {
        var folder = Path.Combine(_dir, "mitbih_train.csv");
        Directory.CreateDirectory(folder);
        AssertRefused(() => KaggleCsv.Read(folder), folder, "is a folder");
        Assert.That(() => KaggleCsv.Read(Path.Combine(_dir, "absent.csv")), Throws.TypeOf<FileNotFoundException>().With.Message.Contains("no such file"));
    }
}
