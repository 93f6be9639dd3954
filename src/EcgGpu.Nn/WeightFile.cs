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

    /// <summary>Prefix of the optimiser-state tensors (Adam's moments) in a training checkpoint.</summary>
    public const string StatePrefix = "__state__.";

    /// <summary>
    /// Saves every parameter of a compiled model; <paramref name="metadata"/> is added to the header.
    /// With <paramref name="includeTrainingState"/> the file is a training checkpoint: it also holds the
    /// optimiser's moments (tensors <c>__state__.layer.parameter.m/.v</c>), its step count and learning
    /// rate, the dropout step, and the epoch, so that <see cref="Resume"/> continues where training stopped.
    /// </summary>
    public static void Save(Sequential model, string path, IReadOnlyDictionary<string, string>? metadata = null, bool includeTrainingState = false, int? epoch = null)
    {
        var tensors = Named(model).Select(t => (t.Name, t.Parameter.Shape, Data: t.Parameter.Value.ToArray())).ToList();
        var stateMeta = new Dictionary<string, string>();
        if (includeTrainingState)
        {
            var optimizer = model.Optimizer ?? throw new InvalidOperationException("a training checkpoint needs a model compiled with an optimiser");
            foreach (var (name, p) in Named(model))
            {
                if (p.M is not null) tensors.Add((StatePrefix + name + ".m", p.Shape, p.M.ToArray()));
                if (p.V is not null) tensors.Add((StatePrefix + name + ".v", p.Shape, p.V.ToArray()));
            }
            stateMeta["optimizer"] = optimizer.GetType().Name;
            stateMeta["optimizer_iterations"] = optimizer.Iterations.ToString(System.Globalization.CultureInfo.InvariantCulture);
            stateMeta["learning_rate"] = optimizer.LearningRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            stateMeta["dropout"] = string.Join(",", model.AllLayers.OfType<Layers.Dropout>().Select(d => FormattableString.Invariant($"{d.Seed}:{d.Step}")));
            stateMeta["epoch"] = (epoch ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
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
        foreach (var (k, v) in stateMeta) meta[k] = v;
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
    public static void Load(Sequential model, string path) => LoadCore(model, path, withState: false);

    /// <summary>
    /// Loads a training checkpoint written with <c>includeTrainingState</c>: the weights, the optimiser's
    /// moments, step count and learning rate, and the dropout step. Returns the epoch it was saved after,
    /// to pass as <see cref="FitOptions.InitialEpoch"/>.
    /// </summary>
    public static int Resume(Sequential model, string path)
    {
        var meta = ReadMetadata(path);
        if (!meta.TryGetValue("optimizer_iterations", out var iterations) || !meta.TryGetValue("epoch", out var epoch))
            throw new WeightFileException($"{path} holds weights only, not a training checkpoint (save it with includeTrainingState)");
        var optimizer = model.Optimizer ?? throw new InvalidOperationException("compile the model with an optimiser before resuming");
        if (meta.TryGetValue("optimizer", out var kind) && kind != optimizer.GetType().Name)
            throw new WeightFileException($"{path} was saved with {kind}, the model is compiled with {optimizer.GetType().Name}");
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var dropouts = model.AllLayers.OfType<Layers.Dropout>().ToList();
        var saved = meta.TryGetValue("dropout", out var ds) && ds.Length > 0 ? ds.Split(',') : [];
        if (saved.Length != dropouts.Count) throw new WeightFileException($"{path} records {saved.Length} dropout layers, model {model.Name} has {dropouts.Count}");
        LoadCore(model, path, withState: true);
        optimizer.RestoreIterations(int.Parse(iterations, inv));
        if (meta.TryGetValue("learning_rate", out var lr)) optimizer.LearningRate = float.Parse(lr, inv);
        for (int i = 0; i < dropouts.Count; i++)
        {
            var parts = saved[i].Split(':');
            dropouts[i].Seed = ulong.Parse(parts[0], inv);
            dropouts[i].Step = uint.Parse(parts[1], inv);
        }
        return int.Parse(epoch, inv);
    }

    private static void LoadCore(Sequential model, string path, bool withState)
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
            // Optimiser state of a training checkpoint: checked and hashed like the weights, loaded only on resume.
            var state = new List<(Parameter Parameter, bool First, long Begin, int Count)>();
            foreach (var name in names.Where(n => n.StartsWith(StatePrefix, StringComparison.Ordinal)).ToList())
            {
                names.Remove(name);
                var owner = name[StatePrefix.Length..^2];
                var p = expected.FirstOrDefault(e => e.Name == owner).Parameter;
                var t = root.GetProperty(name);
                var off = t.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                if (p is null || !(name.EndsWith(".m", StringComparison.Ordinal) || name.EndsWith(".v", StringComparison.Ordinal)))
                    errors.Add($"state tensor '{name}' belongs to no parameter of model {model.Name}");
                else if (off.Length != 2 || off[1] - off[0] != p.Length * 4 || off[0] < 0 || dataStart + off[1] > fileLength)
                    errors.Add($"state tensor '{name}' has data offsets [{string.Join(", ", off)}] that do not hold {p.Length} floats within the file");
                else state.Add((p, name.EndsWith(".m", StringComparison.Ordinal), off[0], (int)p.Length));
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
                foreach (var (begin, count) in plan.Select(x => (x.Begin, x.Count)).Concat(state.Select(x => (x.Begin, x.Count))).OrderBy(x => x.Item1))
                    hash.AppendData(data, (int)begin, count * 4);
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
            if (!withState) return;
            foreach (var (p, first, begin, count) in state)
            {
                model.Optimizer!.EnsureState(p);
                var values = new float[count];
                MemoryMarshal.Cast<byte, float>(data.AsSpan((int)begin, count * 4)).CopyTo(values);
                ((first ? p.M : p.V) ?? throw new WeightFileException($"{path}: the optimiser keeps no {(first ? "first" : "second")} moment for '{p.Name}'")).Upload(values);
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
