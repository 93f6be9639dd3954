using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace EcgGpu.Nn;

/// <summary>A weight file that cannot be used, with what is wrong and where.</summary>
public sealed class WeightFileException(string message) : Exception(message);

/// <summary>
/// Model weights as safetensors: an 8-byte little-endian header length, a JSON header (dtype, shape and
/// data offsets per tensor; <c>__metadata__</c> with the model name, input shape and a SHA-256 of the
/// data), then the raw little-endian float32 data. Tensors are named <c>layer.parameter</c>. Written to a
/// temporary file, flushed and renamed, so a crash never leaves a torn file; a model saved on one backend
/// loads on any other.
/// </summary>
public static class WeightFile
{
    public const string Format = "ecggpu-safetensors/1";

    /// <summary>Saves every parameter of a compiled model; <paramref name="metadata"/> is added to the header.</summary>
    public static void Save(Sequential model, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var tensors = Named(model).Select(t => (t.Name, t.Parameter.Shape, Data: t.Parameter.Value.ToArray())).ToList();
        long offset = 0;
        var offsets = new List<(long Begin, long End)>();
        foreach (var t in tensors)
        {
            offsets.Add((offset, offset + t.Data.Length * 4L));
            offset += t.Data.Length * 4L;
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var t in tensors) hash.AppendData(Bytes(t.Data));
        var meta = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>())
        {
            ["format"] = Format,
            ["model"] = model.Name,
            ["input_shape"] = string.Join(",", model.InputShape),
            ["classes"] = model.Classes.ToString(),
            ["sha256"] = Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant(),
        };
        var header = new MemoryStream();
        using (var w = new Utf8JsonWriter(header))
        {
            w.WriteStartObject();
            w.WriteStartObject("__metadata__");
            foreach (var (k, v) in meta) w.WriteString(k, v);
            w.WriteEndObject();
            for (int i = 0; i < tensors.Count; i++)
            {
                w.WriteStartObject(tensors[i].Name);
                w.WriteString("dtype", "F32");
                w.WriteStartArray("shape");
                foreach (var d in tensors[i].Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offsets[i].Begin);
                w.WriteNumberValue(offsets[i].End);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        // Pad the header with spaces to 8 bytes, as the format recommends.
        while (header.Length % 8 != 0) header.WriteByte((byte)' ');
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = $"{full}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
                fs.Write(length);
                fs.Write(header.GetBuffer(), 0, (int)header.Length);
                foreach (var t in tensors) fs.Write(Bytes(t.Data));
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>The header's metadata (model name, input shape, checksum, and what the saver added).</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        var (root, _, _) = ReadHeader(path);
        using (root)
        {
            var meta = new Dictionary<string, string>();
            if (root.RootElement.TryGetProperty("__metadata__", out var m))
                foreach (var p in m.EnumerateObject()) meta[p.Name] = p.Value.GetString() ?? "";
            return meta;
        }
    }

    /// <summary>
    /// Loads weights into a compiled model with the same architecture. Every parameter must be present
    /// with the same shape and dtype F32, no extra tensor may be left over, and the data must match its
    /// checksum; otherwise nothing is changed and a <see cref="WeightFileException"/> says what differs.
    /// </summary>
    public static void Load(Sequential model, string path)
    {
        var (doc, dataStart, fileLength) = ReadHeader(path);
        using (doc)
        {
            var root = doc.RootElement;
            var expected = Named(model).ToList();
            var names = root.EnumerateObject().Select(p => p.Name).Where(n => n != "__metadata__").ToHashSet();
            var errors = new List<string>();
            var plan = new List<(Parameter Parameter, long Begin, int Count)>();
            foreach (var (name, p) in expected)
            {
                if (!root.TryGetProperty(name, out var t)) { errors.Add($"tensor '{name}' is missing"); continue; }
                names.Remove(name);
                var dtype = t.TryGetProperty("dtype", out var dt) ? dt.GetString() : null;
                if (dtype != "F32") { errors.Add($"tensor '{name}' has dtype {dtype ?? "(none)"}, expected F32"); continue; }
                var shape = t.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
                if (!shape.SequenceEqual(p.Shape)) { errors.Add($"tensor '{name}' has shape [{string.Join(", ", shape)}], the model needs [{string.Join(", ", p.Shape)}]"); continue; }
                var off = t.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                if (off.Length != 2 || off[1] - off[0] != p.Length * 4 || off[0] < 0 || dataStart + off[1] > fileLength)
                {
                    errors.Add($"tensor '{name}' has data offsets [{string.Join(", ", off)}] that do not hold {p.Length} floats within the file");
                    continue;
                }
                plan.Add((p, off[0], (int)p.Length));
            }
            foreach (var extra in names) errors.Add($"tensor '{extra}' is not a parameter of model {model.Name}");
            if (errors.Count > 0) throw new WeightFileException($"{path} does not fit model {model.Name}: {string.Join("; ", errors)}");

            var data = new byte[fileLength - dataStart];
            using (var fs = File.OpenRead(path))
            {
                fs.Seek(dataStart, SeekOrigin.Begin);
                fs.ReadExactly(data);
            }
            string? sha = root.TryGetProperty("__metadata__", out var meta) && meta.TryGetProperty("sha256", out var s) ? s.GetString() : null;
            if (sha is not null)
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                foreach (var (_, begin, count) in plan.OrderBy(x => x.Begin)) hash.AppendData(data, (int)begin, count * 4);
                var actual = Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
                if (actual != sha) throw new WeightFileException($"{path} is corrupted: the SHA-256 of its data is {actual}, the header records {sha}");
            }
            foreach (var (p, begin, count) in plan)
            {
                var values = new float[count];
                MemoryMarshal.Cast<byte, float>(data.AsSpan((int)begin, count * 4)).CopyTo(values);
                if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("weight files are little-endian");
                p.Value.Upload(values);
            }
        }
    }

    private static (JsonDocument Header, long DataStart, long FileLength) ReadHeader(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"weight file {path} does not exist", path);
        var fileLength = new FileInfo(path).Length;
        if (fileLength < 8) throw new WeightFileException($"{path} is truncated: {fileLength} bytes, a weight file starts with an 8-byte header length");
        using var fs = File.OpenRead(path);
        Span<byte> lengthBytes = stackalloc byte[8];
        fs.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength == 0 || headerLength > (ulong)(fileLength - 8))
            throw new WeightFileException($"{path} is truncated or not a weight file: its header claims {headerLength} bytes, the file has {fileLength - 8} after the length");
        var header = new byte[headerLength];
        fs.ReadExactly(header);
        try
        {
            return (JsonDocument.Parse(Encoding.UTF8.GetString(header).TrimEnd(' ')), 8 + (long)headerLength, fileLength);
        }
        catch (JsonException e)
        {
            throw new WeightFileException($"{path} has a corrupted header: {e.Message}");
        }
    }

    private static IEnumerable<(string Name, Parameter Parameter)> Named(Sequential model)
    {
        if (model.Accelerator is null) throw new InvalidOperationException("compile the model before saving or loading weights");
        foreach (var layer in model.Layers)
            foreach (var p in layer.Parameters) yield return ($"{layer.Name}.{p.Name}", p);
    }

    private static ReadOnlySpan<byte> Bytes(float[] data) => MemoryMarshal.AsBytes(data.AsSpan());
}
