using System.Runtime.InteropServices;
using EcgGpu.Onnx.Proto;
using Google.Protobuf;

namespace EcgGpu.Onnx;

/// <summary>
/// Builds one ONNX graph: nodes in topological order (each appended after its inputs exist), float and
/// int64 initializers, and names that never collide. The operators used are those of the default domain
/// at <see cref="OnnxExporter.Opset"/>.
/// </summary>
internal sealed class OnnxGraph
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public GraphProto Proto { get; } = new();

    /// <summary>Every operator type the graph uses, in order of first use.</summary>
    public List<string> Operators { get; } = new();

    /// <summary>A name based on <paramref name="hint"/> that no other value, weight or node has.</summary>
    public string Fresh(string hint)
    {
        var name = hint;
        for (int i = 1; !_names.Add(name); i++) name = $"{hint}_{i}";
        return name;
    }

    /// <summary>Appends a node; returns its first output's name.</summary>
    public string Node(string op, string[] inputs, string hint, params AttributeProto[] attributes)
        => NodeWithOutputs(op, inputs, [Fresh(hint)], attributes)[0];

    /// <summary>Appends a node with the given (already fresh, or empty for an unused optional) outputs.</summary>
    public string[] NodeWithOutputs(string op, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = Fresh($"{op}_{Proto.Node.Count}") };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        Proto.Node.Add(node);
        if (!Operators.Contains(op)) Operators.Add(op);
        return outputs;
    }

    /// <summary>A float32 weight, stored little-endian in raw_data.</summary>
    public string Weight(string hint, float[] values, params long[] dims)
    {
        if (dims.Aggregate(1L, (a, b) => a * b) != values.Length)
            throw new ArgumentException($"weight {hint}: {values.Length} values do not fill the shape [{string.Join(", ", dims)}]");
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw_data is little-endian");
        var tensor = new TensorProto { Name = Fresh(hint), DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        tensor.Dims.AddRange(dims);
        Proto.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>An int64 constant (shapes, axes, gather indices).</summary>
    public string Int64s(string hint, params long[] values)
    {
        var tensor = new TensorProto { Name = Fresh(hint), DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        Proto.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>A float32 tensor value of the graph's interface: [batch, ...sample shape], the batch left symbolic.</summary>
    public static ValueInfoProto BatchOf(string name, IEnumerable<int> sampleShape)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        foreach (var d in sampleShape) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto String(string name, string value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Strings(string name, params string[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        a.Strings.AddRange(values.Select(ByteString.CopyFromUtf8));
        return a;
    }
}
