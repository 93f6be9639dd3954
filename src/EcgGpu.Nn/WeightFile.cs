using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace EcgGpu.Nn;

/// <summary>A weight file that cannot be used, with what is wrong and where.</summary>
public class WeightFileException(string message) : Exception(message);

/// <summary>A model not saved because a tensor holds NaN or infinity: what training that diverged leaves.</summary>
public sealed class NonFiniteWeightsException(string message) : WeightFileException(message);

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
        foreach (var t in tensors)
        {
            // A diverged model is never written: loaded later it would only ever predict NaN.
            int bad = Array.FindIndex(t.Data, v => !float.IsFinite(v));
            if (bad >= 0) throw new NonFiniteWeightsException($"{path} not written: tensor '{t.Name}' holds {t.Data[bad]} at index {bad} (training diverged; lower the learning rate)");
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
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path) => ReadHeader(path).Metadata;

    /// <summary>
    /// Loads weights into a compiled model with the same architecture. Every parameter must be present
    /// with the same shape and dtype F32, no extra tensor may be left over, the data must match its
    /// checksum and every weight must be finite; otherwise nothing is changed and a
    /// <see cref="WeightFileException"/> says what differs.
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
        if (!meta.TryGetValue("optimizer_iterations", out var iterationsText) || !meta.TryGetValue("epoch", out var epochText))
            throw new WeightFileException($"{path} holds weights only, not a training checkpoint (save it with includeTrainingState)");
        var optimizer = model.Optimizer ?? throw new InvalidOperationException("compile the model with an optimiser before resuming");
        if (meta.TryGetValue("optimizer", out var kind) && kind != optimizer.GetType().Name)
            throw new WeightFileException($"{path} was saved with {kind}, the model is compiled with {optimizer.GetType().Name}");
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        int iterations = MetadataNumber<int>(path, "optimizer_iterations", iterationsText);
        int epoch = MetadataNumber<int>(path, "epoch", epochText);
        if (iterations < 0 || epoch < 0) throw new WeightFileException($"{path}: '__metadata__.{(epoch < 0 ? "epoch" : "optimizer_iterations")}' is negative");
        float? learningRate = meta.TryGetValue("learning_rate", out var lrText) ? MetadataNumber<float>(path, "learning_rate", lrText) : null;
        if (learningRate is float lr && !(lr > 0 && float.IsFinite(lr))) throw new WeightFileException($"{path}: '__metadata__.learning_rate' is {lrText}, not a positive finite number");
        var dropouts = model.AllLayers.OfType<Layers.Dropout>().ToList();
        var saved = meta.TryGetValue("dropout", out var ds) && ds.Length > 0 ? ds.Split(',') : [];
        if (saved.Length != dropouts.Count) throw new WeightFileException($"{path} records {saved.Length} dropout layers, model {model.Name} has {dropouts.Count}");
        var streams = new List<(ulong Seed, uint Step)>();
        foreach (var entry in saved)
        {
            var parts = entry.Split(':');
            if (parts.Length != 2 || !ulong.TryParse(parts[0], System.Globalization.NumberStyles.None, inv, out var seed) || !uint.TryParse(parts[1], System.Globalization.NumberStyles.None, inv, out var step))
                throw new WeightFileException($"{path}: '__metadata__.dropout' entry '{entry}' is not seed:step");
            streams.Add((seed, step));
        }
        LoadCore(model, path, withState: true);
        optimizer.RestoreIterations(iterations);
        if (learningRate is float restored) optimizer.LearningRate = restored;
        for (int i = 0; i < dropouts.Count; i++) (dropouts[i].Seed, dropouts[i].Step) = streams[i];
        return epoch;
    }

    private static T MetadataNumber<T>(string path, string key, string text) where T : System.Numerics.INumberBase<T>
        => T.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value : throw new WeightFileException($"{path}: '__metadata__.{key}' is '{text}', not a number");

    private static void LoadCore(Sequential model, string path, bool withState)
    {
        var header = ReadHeader(path);
        var expected = Named(model).ToList();
        var names = header.Tensors.Keys.ToHashSet();
        var errors = new List<string>();
        // Metadata that contradicts the model is as wrong as a tensor of the wrong shape.
        if (header.Metadata.TryGetValue("classes", out var classes) && classes != model.Classes.ToString(System.Globalization.CultureInfo.InvariantCulture))
            errors.Add($"'__metadata__.classes' is {classes}, the model has {model.Classes} classes");
        if (header.Metadata.TryGetValue("input_shape", out var inputShape) && inputShape != string.Join(",", model.InputShape))
            errors.Add($"'__metadata__.input_shape' is {inputShape}, the model takes {string.Join(",", model.InputShape)}");
        var plan = new List<(string Name, Parameter Parameter, long Begin, int Count)>();
        foreach (var (name, p) in expected)
        {
            if (!header.Tensors.TryGetValue(name, out var t)) { errors.Add($"tensor '{name}' is missing"); continue; }
            names.Remove(name);
            if (t.DType != "F32") { errors.Add($"tensor '{name}' has dtype {t.DType}, expected F32"); continue; }
            if (!t.Shape.SequenceEqual(p.Shape)) { errors.Add($"tensor '{name}' has shape [{string.Join(", ", t.Shape)}], the model needs [{string.Join(", ", p.Shape)}]"); continue; }
            plan.Add((name, p, t.Begin, (int)p.Length));
        }
        // Optimiser state of a training checkpoint: checked and hashed like the weights, loaded only on resume.
        var state = new List<(string Name, Parameter Parameter, bool First, long Begin, int Count)>();
        foreach (var name in names.Where(n => n.StartsWith(StatePrefix, StringComparison.Ordinal)).ToList())
        {
            names.Remove(name);
            var t = header.Tensors[name];
            bool first = name.EndsWith(".m", StringComparison.Ordinal);
            var p = first || name.EndsWith(".v", StringComparison.Ordinal) ? expected.FirstOrDefault(e => e.Name == name[StatePrefix.Length..^2]).Parameter : null;
            if (p is null) errors.Add($"state tensor '{name}' belongs to no parameter of model {model.Name}");
            else if (t.DType != "F32" || !t.Shape.SequenceEqual(p.Shape))
                errors.Add($"state tensor '{name}' is {t.DType} [{string.Join(", ", t.Shape)}], its parameter F32 [{string.Join(", ", p.Shape)}]");
            else state.Add((name, p, first, t.Begin, (int)p.Length));
        }
        foreach (var extra in names) errors.Add($"tensor '{extra}' is not a parameter of model {model.Name}");
        if (errors.Count > 0) throw new WeightFileException($"{path} does not fit model {model.Name}: {string.Join("; ", errors)}");

        var data = new byte[header.FileLength - header.DataStart];
        using (var fs = File.OpenRead(path))
        {
            fs.Seek(header.DataStart, SeekOrigin.Begin);
            try { fs.ReadExactly(data); }
            catch (EndOfStreamException) { throw new WeightFileException($"{path} is truncated: it became shorter while being read"); }
        }
        if (header.Metadata.TryGetValue("sha256", out var sha))
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            foreach (var (begin, count) in plan.Select(x => (x.Begin, x.Count)).Concat(state.Select(x => (x.Begin, x.Count))).OrderBy(x => x.Item1))
                hash.AppendData(data, (int)begin, count * 4);
            var actual = Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
            if (actual != sha) throw new WeightFileException($"{path} is corrupted: the SHA-256 of its data is {actual}, the header records {sha}");
        }
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("weight files are little-endian");
        // Everything is decoded and checked before the first upload, so a refused file changes nothing.
        var weights = plan.Select(x => (x.Parameter, Values: Floats(path, x.Name, data, x.Begin, x.Count))).ToList();
        var moments = withState ? state.Select(x => (x.Parameter, x.First, Values: Floats(path, x.Name, data, x.Begin, x.Count))).ToList() : [];
        foreach (var (p, values) in weights) p.Value.Upload(values);
        foreach (var (p, first, values) in moments)
        {
            model.Optimizer!.EnsureState(p);
            ((first ? p.M : p.V) ?? throw new WeightFileException($"{path}: the optimiser keeps no {(first ? "first" : "second")} moment for '{p.Name}'")).Upload(values);
        }
    }

    /// <summary>The floats of one tensor; NaN or infinity (a diverged run) is refused: it would only ever predict NaN.</summary>
    private static float[] Floats(string path, string tensor, byte[] data, long begin, int count)
    {
        var values = new float[count];
        MemoryMarshal.Cast<byte, float>(data.AsSpan((int)begin, count * 4)).CopyTo(values);
        int bad = Array.FindIndex(values, v => !float.IsFinite(v));
        if (bad >= 0)
            throw new WeightFileException($"{path}: tensor '{tensor}' holds {values[bad]} at index {bad}; the weights of a diverged run cannot predict");
        return values;
    }

    /// <summary>One tensor entry of a validated header: dtype, shape and its byte range within the data.</summary>
    private sealed record TensorEntry(string DType, int[] Shape, long Begin, long End);

    private sealed record Header(IReadOnlyDictionary<string, string> Metadata, IReadOnlyDictionary<string, TensorEntry> Tensors, long DataStart, long FileLength);

    /// <summary>Bytes per element of the safetensors dtypes; others are refused.</summary>
    private static readonly Dictionary<string, int> DTypeSizes = new()
    {
        ["F64"] = 8, ["F32"] = 4, ["F16"] = 2, ["BF16"] = 2, ["I64"] = 8, ["I32"] = 4, ["I16"] = 2, ["I8"] = 1, ["U8"] = 1, ["BOOL"] = 1,
    };

    /// <summary>Largest header accepted, as the safetensors reference implementation (100 MB).</summary>
    private const ulong MaxHeaderBytes = 100_000_000;

    /// <summary>
    /// Reads and validates the header: an object of tensor entries (dtype, shape, data_offsets) and an
    /// optional <c>__metadata__</c> object of strings, every byte range within the file; any other shape of
    /// JSON is refused naming the file and the key.
    /// </summary>
    private static Header ReadHeader(string path)
    {
        if (Directory.Exists(path)) throw new WeightFileException($"weight file {path} is a folder, not a file");
        if (!File.Exists(path)) throw new FileNotFoundException($"weight file {path} does not exist", path);
        var fileLength = new FileInfo(path).Length;
        if (fileLength < 8) throw new WeightFileException($"{path} is truncated: {fileLength} bytes, a weight file starts with an 8-byte header length");
        byte[] headerBytes;
        using (var fs = File.OpenRead(path))
        {
            Span<byte> lengthBytes = stackalloc byte[8];
            fs.ReadExactly(lengthBytes);
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            if (headerLength == 0 || headerLength > MaxHeaderBytes)
                throw new WeightFileException($"{path} is not a weight file: its first 8 bytes give a header of {headerLength} bytes");
            if (headerLength > (ulong)(fileLength - 8))
                throw new WeightFileException($"{path} is truncated: {fileLength} bytes, its header alone says {8 + headerLength}");
            headerBytes = new byte[headerLength];
            fs.ReadExactly(headerBytes);
        }
        long dataStart = 8 + headerBytes.LongLength;
        JsonDocument doc;
        try { doc = JsonDocument.Parse(Encoding.UTF8.GetString(headerBytes).TrimEnd(' ')); }
        catch (JsonException e) { throw new WeightFileException($"{path} has a corrupted header: {e.Message}"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new WeightFileException($"{path}: the header is a JSON {Kind(root)}, not an object of tensor entries");
            var metadata = new Dictionary<string, string>();
            var tensors = new Dictionary<string, TensorEntry>();
            foreach (var entry in root.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                {
                    if (entry.Value.ValueKind != JsonValueKind.Object)
                        throw new WeightFileException($"{path}: header key '__metadata__' is a JSON {Kind(entry.Value)}, not an object of strings");
                    foreach (var m in entry.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String)
                            throw new WeightFileException($"{path}: header key '__metadata__.{m.Name}' is a JSON {Kind(m.Value)}, not a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                if (tensors.ContainsKey(entry.Name)) throw new WeightFileException($"{path}: header key '{entry.Name}' appears twice");
                tensors[entry.Name] = Tensor(path, entry.Name, entry.Value);
            }
            CheckMetadata(path, metadata);
            long dataLength = fileLength - dataStart;
            long needed = tensors.Values.Select(t => t.End).DefaultIfEmpty(0).Max();
            if (needed > dataLength)
                throw new WeightFileException($"{path} is truncated: {fileLength} bytes, its header says {dataStart + needed}");
            return new Header(metadata, tensors, dataStart, fileLength);
        }
    }

    private static TensorEntry Tensor(string path, string name, JsonElement e)
    {
        string where = $"{path}: header key '{name}'";
        if (e.ValueKind != JsonValueKind.Object) throw new WeightFileException($"{where} is a JSON {Kind(e)}, not a tensor entry (dtype, shape, data_offsets)");
        JsonElement Field(string field) => e.TryGetProperty(field, out var v) ? v : throw new WeightFileException($"{where} has no '{field}'");
        var dtypeElement = Field("dtype");
        if (dtypeElement.ValueKind != JsonValueKind.String) throw new WeightFileException($"{where}: 'dtype' is a JSON {Kind(dtypeElement)}, not a string");
        var dtype = dtypeElement.GetString()!;
        if (!DTypeSizes.TryGetValue(dtype, out int size)) throw new WeightFileException($"{where}: dtype '{dtype}' is not a safetensors dtype ({string.Join(", ", DTypeSizes.Keys)})");
        var shapeElement = Field("shape");
        if (shapeElement.ValueKind != JsonValueKind.Array) throw new WeightFileException($"{where}: 'shape' is a JSON {Kind(shapeElement)}, not an array of sizes");
        var shape = new List<int>();
        long elements = 1;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int n) || n < 0)
                throw new WeightFileException($"{where}: 'shape' holds {d.GetRawText()}, not a size (a whole number from 0 to {int.MaxValue})");
            shape.Add(n);
            elements *= n;
            if (elements > int.MaxValue / size) throw new WeightFileException($"{where}: 'shape' [{string.Join(", ", shapeElement.EnumerateArray().Select(x => x.GetRawText()))}] is too large for a tensor");
        }
        var offsets = Field("data_offsets");
        if (offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2
            || offsets.EnumerateArray().Any(o => o.ValueKind != JsonValueKind.Number || !o.TryGetInt64(out long v) || v < 0))
            throw new WeightFileException($"{where}: 'data_offsets' is {offsets.GetRawText()}, not two whole byte offsets [begin, end]");
        long begin = offsets[0].GetInt64(), end = offsets[1].GetInt64();
        if (end - begin != elements * size)
            throw new WeightFileException($"{where}: 'data_offsets' [{begin}, {end}] hold {end - begin} bytes, shape [{string.Join(", ", shape)}] of {dtype} needs {elements * size}");
        return new TensorEntry(dtype, shape.ToArray(), begin, end);
    }

    /// <summary>The metadata this library writes must say what it always says; contradictions are refused naming the key.</summary>
    private static void CheckMetadata(string path, Dictionary<string, string> metadata)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        if (metadata.TryGetValue("format", out var format) && format != Format)
            throw new WeightFileException($"{path}: '__metadata__.format' is '{format}'; this version reads {Format}");
        if (metadata.TryGetValue("classes", out var classes) && !(int.TryParse(classes, System.Globalization.NumberStyles.None, inv, out int c) && c >= 2))
            throw new WeightFileException($"{path}: '__metadata__.classes' is '{classes}', not a number of classes (2 or more)");
        if (metadata.TryGetValue("input_shape", out var shape)
            && !shape.Split(',').All(d => int.TryParse(d, System.Globalization.NumberStyles.None, inv, out int n) && n > 0))
            throw new WeightFileException($"{path}: '__metadata__.input_shape' is '{shape}', not sizes separated by commas");
        if (metadata.TryGetValue("sha256", out var sha) && !(sha.Length == 64 && sha.All(char.IsAsciiHexDigitLower)))
            throw new WeightFileException($"{path}: '__metadata__.sha256' is '{sha}', not 64 lower-case hex digits");
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        var k => k.ToString().ToLowerInvariant(),
    };

    private static IEnumerable<(string Name, Parameter Parameter)> Named(Sequential model)
    {
        if (model.Accelerator is null) throw new InvalidOperationException("compile the model before saving or loading weights");
        foreach (var layer in model.Layers)
            foreach (var p in layer.Parameters) yield return ($"{layer.Name}.{p.Name}", p);
    }

    private static ReadOnlySpan<byte> Bytes(float[] data) => MemoryMarshal.AsBytes(data.AsSpan());
}
