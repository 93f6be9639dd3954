using EcgGpu.Data;
using EcgGpu.Nn;
using EcgGpu.Onnx.Proto;
using Google.Protobuf;

namespace EcgGpu.Onnx;

/// <summary>What an export wrote: the operator set, the operators the graph uses, and its interface.</summary>
/// <remarks><see cref="RrInputLength"/> is the width of the second input (<see cref="OnnxExporter.RrInputName"/>) of a model that takes RR features, else 0.</remarks>
public sealed record OnnxExportSummary(int Opset, IReadOnlyList<string> Operators, string Input, int InputLength, int RrInputLength, string Output, int Classes);

/// <summary>
/// Writes a compiled model as an ONNX model (opset <see cref="Opset"/>) that a serving runtime can run
/// on what <c>ecg predict</c> takes: input <c>beats</c> [batch, raw beat length], output
/// <c>probabilities</c> [batch, classes] (the softmax of our logits); a model that takes RR features (a
/// ConcatenateFeatures first layer) has a second input <c>rr_features</c>: with the stored preprocessing, all
/// <see cref="RrFeatures.Count"/> that `ecg prepare` writes to the _rr.csv (the graph picks the model's), else
/// just the model's. The stored preprocessing (the
/// information-gain columns, then the scaler) becomes Gather, Sub and Mul at the head of the graph, so a
/// user feeds raw beats. Dropout is the identity at inference and leaves no operator.
/// </summary>
public static class OnnxExporter
{
    /// <summary>ONNX operator set 17 (ONNX 1.12, IR version 8): the newest that Debian's python3-onnx checker knows.</summary>
    public const int Opset = 17;
    public const int IrVersion = 8;
    public const string InputName = "beats", RrInputName = "rr_features", OutputName = "probabilities";

    public static OnnxExportSummary Export(Sequential model, Stream stream, Preprocessing? preprocessing = null)
    {
        var (proto, summary) = Build(model, preprocessing);
        proto.WriteTo(stream);
        return summary;
    }

    /// <summary>Writes to <paramref name="path"/> through a temporary file and a rename, so a failure never leaves a torn model.</summary>
    public static OnnxExportSummary Export(Sequential model, string path, Preprocessing? preprocessing = null)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = $"{full}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            OnnxExportSummary summary;
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                summary = Export(model, fs, preprocessing);
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
            return summary;
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>The model as ONNX bytes.</summary>
    public static byte[] ToBytes(Sequential model, Preprocessing? preprocessing = null) => Build(model, preprocessing).Model.ToByteArray();

    private static (ModelProto Model, OnnxExportSummary Summary) Build(Sequential model, Preprocessing? preprocessing)
    {
        if (model.Accelerator is null) throw new InvalidOperationException($"compile model {model.Name} and load its weights before exporting it");
        var g = new OnnxGraph();
        g.Proto.Name = model.Name;
        g.Fresh(InputName);
        // A two-input model's rows hold the beat then its RR features; a serving caller has them apart.
        int modelRr = model.Layers[0] is Nn.Layers.ConcatenateFeatures c ? c.Features : 0;
        if (preprocessing?.RrColumns is not null && modelRr == 0)
            throw new ArgumentException($"the preprocessing appends RR features, model {model.Name} takes none", nameof(preprocessing));
        int rawLength = preprocessing?.InputLength ?? model.InputWidth - modelRr;
        g.Proto.Input.Add(OnnxGraph.BatchOf(InputName, [rawLength]));
        var x = new OnnxValue(InputName, [rawLength]);
        if (preprocessing is not null) x = Preprocess(g, preprocessing, x);
        int rrLength = 0;
        if (modelRr > 0)
        {
            // The stored preprocessing picks the model's RR features out of all that `ecg prepare` computes, as predict does.
            var columns = preprocessing?.RrColumns;
            rrLength = columns is null ? modelRr : RrFeatures.Count;
            g.Fresh(RrInputName);
            g.Proto.Input.Add(OnnxGraph.BatchOf(RrInputName, [rrLength]));
            var rr = columns is null ? RrInputName
                : g.Node("Gather", [RrInputName, g.Int64s("rr_columns", columns.Select(k => (long)k).ToArray())], "rr_selected", OnnxGraph.Int("axis", 1));
            x = new OnnxValue(g.Node("Concat", [x.Name, rr], "beat_and_rr", OnnxGraph.Int("axis", 1)), [x.SampleShape[0] + (columns?.Length ?? modelRr)]);
        }
        if (x.SampleShape[0] != model.InputWidth)
            throw new ArgumentException($"the preprocessing gives {x.SampleShape[0]} values per beat, model {model.Name} takes {model.InputWidth}", nameof(preprocessing));
        x = x with { SampleShape = model.InputShape };
        foreach (var layer in model.Layers) x = LayerExport.Add(g, layer, x);

        g.Fresh(OutputName);
        g.NodeWithOutputs("Softmax", [x.Name], [OutputName], OnnxGraph.Int("axis", -1));
        g.Proto.Output.Add(OnnxGraph.BatchOf(OutputName, [model.Classes]));

        var proto = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "EcgGpu",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString(3) ?? "",
            DocString = $"{model.Name}: raw beats [batch, {rawLength}]{(rrLength > 0 ? $" and RR features [batch, {rrLength}]" : "")} to class probabilities [batch, {model.Classes}]",
            Graph = g.Proto,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        proto.MetadataProps.Add(new StringStringEntryProto { Key = "model", Value = model.Name });
        if (preprocessing is not null) proto.MetadataProps.Add(new StringStringEntryProto { Key = "preprocessing", Value = preprocessing.ToJson() });
        return (proto, new OnnxExportSummary(Opset, g.Operators, InputName, rawLength, rrLength, OutputName, model.Classes));
    }

    /// <summary>Column selection as Gather on axis 1, then the scaler's (x − offset) × scale as Sub and Mul, in float as ours.</summary>
    private static OnnxValue Preprocess(OnnxGraph g, Preprocessing p, OnnxValue x)
    {
        if (p.Features is { } features)
        {
            if (features.Any(f => f < 0 || f >= p.InputLength))
                throw new ArgumentException($"the preprocessing selects columns outside 0..{p.InputLength - 1}", nameof(p));
            x = new OnnxValue(g.Node("Gather", [x.Name, g.Int64s("selected_columns", features.Select(f => (long)f).ToArray())], "selected", OnnxGraph.Int("axis", 1)), [features.Length]);
        }
        if (p.Scaler is { } s)
        {
            if (s.Offset.Length != x.SampleShape[0] || s.Scale.Length != x.SampleShape[0])
                throw new ArgumentException($"the {s.Kind} scaler has {s.Offset.Length} columns, the selected beat {x.SampleShape[0]}", nameof(p));
            var centred = g.Node("Sub", [x.Name, g.Weight("scaler_offset", s.Offset, s.Offset.Length)], "centred");
            x = x with { Name = g.Node("Mul", [centred, g.Weight("scaler_scale", s.Scale, s.Scale.Length)], "scaled") };
        }
        return x;
    }
}
