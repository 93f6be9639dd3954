using EcgGpu.Nn;
using EcgGpu.Nn.Layers;

namespace EcgGpu.Onnx;

/// <summary>A value of the graph with our per-sample shape: the tensor is [batch, ...SampleShape], laid out as our buffers are.</summary>
internal readonly record struct OnnxValue(string Name, int[] SampleShape);

/// <summary>
/// Each layer as ONNX operators. A layer's input arrives with the layer's <see cref="Layer.InputShape"/>
/// and its output leaves with <see cref="Layer.OutputShape"/>, in our memory order ([C, L] for
/// convolutions, [L, F] for recurrent layers and attention), so Flatten gives the same vector as ours.
/// </summary>
internal static class LayerExport
{
    public static OnnxValue Add(OnnxGraph g, Layer layer, OnnxValue x)
    {
        if (!x.SampleShape.SequenceEqual(layer.InputShape))
            throw new InvalidOperationException($"layer {layer.Name} expects [{string.Join(", ", layer.InputShape)}] per sample, the graph has [{string.Join(", ", x.SampleShape)}]");
        var y = layer switch
        {
            Conv1D c => Conv(g, layer.Name, AsChannels(g, x), Weights(layer, "kernel"), Weights(layer, "bias"), c.KernelSize, c.Padding, c.Activation),
            Dense d => Activate(g, new OnnxValue(g.Node("Gemm", [x.Name, Weight(g, layer, "kernel"), Weight(g, layer, "bias")], layer.Name), [d.Units]), d.Activation, layer.Name),
            MaxPooling1D p => MaxPool(g, layer.Name, AsChannels(g, x), p.PoolSize, p.Strides),
            GlobalAveragePooling1D => GlobalAverage(g, layer.Name, x),
            Flatten => new OnnxValue(g.Node("Flatten", [x.Name], layer.Name, OnnxGraph.Int("axis", 1)), layer.OutputShape),
            Dropout => x,
            Permute => new OnnxValue(g.Node("Transpose", [x.Name], layer.Name, OnnxGraph.Ints("perm", 0, 2, 1)), layer.OutputShape),
            ActivationLayer a => Activate(g, x, a.Activation, layer.Name),
            BatchNormalization b => BatchNorm(g, layer, b, x),
            RecurrentLayer r => RecurrentExport.Add(g, r, AsSteps(g, x)),
            SelfAttention a => Attention(g, layer.Name, x, a.Scaled),
            ResidualBlock r => Residual(g, r, x),
            ConcatenateFeatures c => Concatenate(g, c, x),
            _ => throw new NotSupportedException($"layer {layer.Name} ({layer.GetType().Name}) has no ONNX export"),
        };
        if (!y.SampleShape.SequenceEqual(layer.OutputShape))
            throw new InvalidOperationException($"export of layer {layer.Name} gave [{string.Join(", ", y.SampleShape)}] per sample, the layer gives [{string.Join(", ", layer.OutputShape)}]");
        return y;
    }

    /// <summary>
    /// A layer's parameter by its own name. A layer inside a composite (a residual unit, a branch of
    /// ConcatenateFeatures) carries its parameters under the composite's prefixed names
    /// ("conv1d.kernel"), so the name is matched as the last dotted part.
    /// </summary>
    public static Parameter Find(Layer layer, string name)
    {
        var matches = layer.Parameters.Where(p => p.Name == name || p.Name.EndsWith("." + name, StringComparison.Ordinal)).ToList();
        return matches.Count == 1 ? matches[0]
            : throw new InvalidOperationException($"layer {layer.Name} has {matches.Count} parameters named '{name}' ({string.Join(", ", layer.Parameters.Select(p => p.Name))})");
    }

    /// <summary>The parameter's values as saved in the weight file.</summary>
    public static float[] Weights(Layer layer, string name) => Find(layer, name).Value.ToArray();

    private static string Weight(OnnxGraph g, Layer layer, string name)
    {
        var p = Find(layer, name);
        return g.Weight($"{layer.Name}.{name}", p.Value.ToArray(), p.Shape.Select(d => (long)d).ToArray());
    }

    /// <summary>A plain [L] sample as one channel: [N, 1, L].</summary>
    private static OnnxValue AsChannels(OnnxGraph g, OnnxValue x)
        => x.SampleShape.Length == 1 ? new OnnxValue(g.Node("Unsqueeze", [x.Name, g.Int64s("axis1", 1)], x.Name + "_channels"), [1, x.SampleShape[0]]) : x;

    /// <summary>A plain [L] sample as one feature per step: [N, L, 1].</summary>
    private static OnnxValue AsSteps(OnnxGraph g, OnnxValue x)
        => x.SampleShape.Length == 1 ? new OnnxValue(g.Node("Unsqueeze", [x.Name, g.Int64s("axis2", 2)], x.Name + "_steps"), [x.SampleShape[0], 1]) : x;

    public static OnnxValue Activate(OnnxGraph g, OnnxValue x, Activation activation, string hint) => activation switch
    {
        Activation.Identity => x,
        Activation.Relu => x with { Name = g.Node("Relu", [x.Name], hint + "_relu") },
        Activation.Tanh => x with { Name = g.Node("Tanh", [x.Name], hint + "_tanh") },
        Activation.Sigmoid => x with { Name = g.Node("Sigmoid", [x.Name], hint + "_sigmoid") },
        _ => throw new NotSupportedException($"activation {activation} has no ONNX export"),
    };

    /// <summary>Conv1D: our kernel [F, C, K] is ONNX's [M, C/group, K]; Same padding puts (K − 1)/2 zeros on the left, the rest on the right.</summary>
    private static OnnxValue Conv(OnnxGraph g, string name, OnnxValue x, float[] kernel, float[] bias, int k, Padding padding, Activation activation)
    {
        int filters = bias.Length, channels = x.SampleShape[0], length = x.SampleShape[1];
        int left = padding == Padding.Same ? (k - 1) / 2 : 0, right = padding == Padding.Same ? k - 1 - left : 0;
        var y = g.Node("Conv", [x.Name, g.Weight(name + ".kernel", kernel, filters, channels, k), g.Weight(name + ".bias", bias, filters)], name,
            OnnxGraph.Ints("kernel_shape", k), OnnxGraph.Ints("pads", left, right), OnnxGraph.Ints("strides", 1), OnnxGraph.Ints("dilations", 1));
        return Activate(g, new OnnxValue(y, [filters, length + left + right - k + 1]), activation, name);
    }

    /// <summary>Max pooling in floor mode (ceil_mode 0), as ours.</summary>
    private static OnnxValue MaxPool(OnnxGraph g, string name, OnnxValue x, int pool, int stride)
    {
        var y = g.Node("MaxPool", [x.Name], name, OnnxGraph.Ints("kernel_shape", pool), OnnxGraph.Ints("strides", stride), OnnxGraph.Int("ceil_mode", 0));
        return new OnnxValue(y, [x.SampleShape[0], (x.SampleShape[1] - pool) / stride + 1]);
    }

    private static OnnxValue GlobalAverage(OnnxGraph g, string name, OnnxValue x)
    {
        var pooled = g.Node("GlobalAveragePool", [x.Name], name + "_pool");
        return new OnnxValue(g.Node("Flatten", [pooled], name, OnnxGraph.Int("axis", 1)), [x.SampleShape[0]]);
    }

    /// <summary>Inference batch normalisation with the moving statistics, over the first axis of a sample (ONNX's channel axis).</summary>
    private static OnnxValue BatchNorm(OnnxGraph g, Layer layer, BatchNormalization b, OnnxValue x)
    {
        var inputs = new[] { x.Name }.Concat(new[] { "gamma", "beta", "moving_mean", "moving_variance" }.Select(p => Weight(g, layer, p))).ToArray();
        return x with { Name = g.Node("BatchNormalization", inputs, layer.Name, OnnxGraph.Float("epsilon", b.Epsilon)) };
    }

    /// <summary>Keras Attention()([h, h]): softmax(h hᵀ [/ √D]) h over [N, L, D], the softmax over the keys.</summary>
    private static OnnxValue Attention(OnnxGraph g, string name, OnnxValue x, bool scaled)
    {
        var keys = g.Node("Transpose", [x.Name], name + "_keys", OnnxGraph.Ints("perm", 0, 2, 1));
        var scores = g.Node("MatMul", [x.Name, keys], name + "_scores");
        if (scaled) scores = g.Node("Mul", [scores, g.Weight(name + ".scale", [1f / MathF.Sqrt(x.SampleShape[1])])], name + "_scaled");
        var weights = g.Node("Softmax", [scores], name + "_weights", OnnxGraph.Int("axis", -1));
        return x with { Name = g.Node("MatMul", [weights, x.Name], name) };
    }

    /// <summary>
    /// A row of a beat then extra features (the RR features): Slice splits it, each part runs through its
    /// branch, and Concat joins the flattened beat branch and the feature branch, as ours.
    /// </summary>
    private static OnnxValue Concatenate(OnnxGraph g, ConcatenateFeatures c, OnnxValue x)
    {
        int width = x.SampleShape[0], beatWidth = width - c.Features;
        OnnxValue Columns(string hint, int from, int to) => new(
            g.Node("Slice", [x.Name, g.Int64s(hint + "_from", from), g.Int64s(hint + "_to", to), g.Int64s("axis1", 1)], $"{c.Name}_{hint}"), [to - from]);
        var beat = Columns("beat", 0, beatWidth);
        foreach (var layer in c.Branch) beat = Add(g, layer, beat);
        if (beat.SampleShape.Length != 1) beat = new OnnxValue(g.Node("Flatten", [beat.Name], c.Name + "_beat_flat", OnnxGraph.Int("axis", 1)), [beat.SampleShape.Aggregate(1, (a, b) => a * b)]);
        var features = Columns("features", beatWidth, width);
        foreach (var layer in c.FeatureBranch) features = Add(g, layer, features);
        return new OnnxValue(g.Node("Concat", [beat.Name, features.Name], c.Name, OnnxGraph.Int("axis", 1)), [beat.SampleShape[0] + features.SampleShape[0]]);
    }

    /// <summary>Kachuee's unit: Conv → ReLU → Conv → + input → ReLU → MaxPool.</summary>
    private static OnnxValue Residual(OnnxGraph g, ResidualBlock r, OnnxValue x)
    {
        string name = r.Name;
        var a = Conv(g, name + ".conv_a", x, Weights(r, "conv_a.kernel"), Weights(r, "conv_a.bias"), r.KernelSize, Padding.Same, Activation.Relu);
        var b = Conv(g, name + ".conv_b", a, Weights(r, "conv_b.kernel"), Weights(r, "conv_b.bias"), r.KernelSize, Padding.Same, Activation.Identity);
        var sum = x with { Name = g.Node("Add", [b.Name, x.Name], name + "_sum") };
        return MaxPool(g, name, Activate(g, sum, Activation.Relu, name + "_sum"), r.PoolSize, r.PoolStride);
    }
}
