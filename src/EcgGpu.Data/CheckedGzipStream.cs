using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace EcgGpu.Data;

/// <summary>
/// Decompresses a gzip file and, when its end is reached, checks the trailer: the CRC-32 and the length
/// (mod 2^32) of the data read must be those the last 8 bytes of the file record. .NET's
/// <see cref="GZipStream"/> alone ends quietly at a cut, so a file cut at a line boundary would read as a
/// shorter, valid one. Every failure is a <see cref="DataFormatException"/> "truncated or corrupt gzip"
/// naming the file. A file of several gzip members (<c>cat a.gz b.gz</c>) is refused: only the last
/// member's trailer can be checked against the whole.
/// </summary>
internal sealed class CheckedGzipStream(FileStream file, string path) : Stream
{
    private readonly GZipStream _gzip = new(file, CompressionMode.Decompress);
    private readonly Crc32 _crc = new();
    private long _length;
    private bool _checked;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_checked) return 0;
        int n;
        try { n = _gzip.Read(buffer); }
        // .NET reports a failed CRC or a damaged block as "unsupported compression method": say what it means.
        catch (InvalidDataException) { throw Corrupt("the compressed data or its CRC-32 is damaged"); }
        if (n == 0) { CheckTrailer(); return 0; }
        _crc.Append(buffer[..n]);
        _length += n;
        return n;
    }

    /// <summary>Reads (and discards) what is left, then checks the trailer; throws when the file is cut or corrupt.</summary>
    public void ReadToEndAndCheck()
    {
        var buffer = new byte[1 << 16];
        while (Read(buffer) > 0) { }
    }

    private void CheckTrailer()
    {
        if (file.Length < 18) throw Corrupt($"{file.Length} bytes cannot hold a gzip header and trailer");
        Span<byte> trailer = stackalloc byte[8];
        using (var raw = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            raw.Seek(-8, SeekOrigin.End);
            raw.ReadExactly(trailer);
        }
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(trailer), size = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
        uint actualCrc = _crc.GetCurrentHashAsUInt32(), actualSize = unchecked((uint)_length);
        if (crc != actualCrc || size != actualSize)
            throw Corrupt($"{_length} bytes decompressed (CRC-32 {actualCrc:x8}) do not match the trailer's {size} bytes (CRC-32 {crc:x8}); the file is cut short or damaged");
        _checked = true;
    }

    private DataFormatException Corrupt(string detail) => new(path, 0, 0, $"truncated or corrupt gzip: {detail}");

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _length; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _gzip.Dispose();
        base.Dispose(disposing);
    }
}
