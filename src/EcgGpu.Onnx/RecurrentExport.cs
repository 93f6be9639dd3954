using EcgGpu.Nn.Layers;

namespace EcgGpu.Onnx;

/// <summary>
/// LSTM, GRU and SimpleRNN as ONNX's LSTM, GRU and RNN operators. Our weights are Keras's: kernel
/// (I, G·H), recurrent_kernel (H, G·H), biases (G·H), gate g's unit j in column g·H + j. ONNX wants W
/// [1, G·H, I] and R [1, G·H, H] (one direction, transposed) and B [1, 2·G·H] (input then recurrent bias),
/// with its own gate order: LSTM i o f c (ours i f c o), GRU z r h (ours r z n). Our GRU applies the reset
/// gate after the recurrent product and its bias, which is ONNX's linear_before_reset = 1.
/// </summary>
internal static class RecurrentExport
{
    /// <summary>For each ONNX gate, the index of our gate holding it.</summary>
    public static int[] GateOrder(RecurrentLayer layer) => layer switch
    {
        LSTM => [0, 3, 1, 2],
        GRU => [1, 0, 2],
        SimpleRNN => [0],
        _ => throw new NotSupportedException($"layer {layer.Name} ({layer.GetType().Name}) has no ONNX export"),
    };

    /// <summary>Our (rows, G·H) matrix as ONNX's (G·H, rows) with the gates reordered.</summary>
    public static float[] ToOnnxGates(float[] keras, int rows, int units, int[] order)
    {
        int gates = order.Length, width = gates * units;
        if (keras.Length != rows * width) throw new ArgumentException($"{keras.Length} values are not ({rows}, {width})");
        var onnx = new float[keras.Length];
        for (int og = 0; og < gates; og++)
            for (int j = 0; j < units; j++)
                for (int r = 0; r < rows; r++)
                    onnx[(og * units + j) * rows + r] = keras[r * width + order[og] * units + j];
        return onnx;
    }

    public static OnnxValue Add(OnnxGraph g, RecurrentLayer layer, OnnxValue x)
    {
        string name = layer.Name;
        int steps = x.SampleShape[0], features = x.SampleShape[1], units = layer.Units;
        var order = GateOrder(layer);
        int width = order.Length * units;
        var w = ToOnnxGates(LayerExport.Weights(layer, "kernel"), features, units, order);
        var r = ToOnnxGates(LayerExport.Weights(layer, "recurrent_kernel"), units, units, order);
        var bias = ToOnnxGates(LayerExport.Weights(layer, "bias"), 1, units, order);
        var recurrentBias = layer is GRU ? ToOnnxGates(LayerExport.Weights(layer, "recurrent_bias"), 1, units, order) : new float[width];
        var b = bias.Concat(recurrentBias).ToArray();

        var (op, attributes) = layer switch
        {
            LSTM => ("LSTM", new List<Proto.AttributeProto>()),
            GRU => ("GRU", [OnnxGraph.Int("linear_before_reset", 1), OnnxGraph.Strings("activations", "Sigmoid", layer.ReluCandidate ? "Relu" : "Tanh")]),
            _ => ("RNN", [OnnxGraph.Strings("activations", layer.ReluCandidate ? "Relu" : "Tanh")]),
        };
        attributes.Add(OnnxGraph.Int("hidden_size", units));
        attributes.Add(OnnxGraph.String("direction", "forward"));

        // ONNX's default layout is time-major: X [L, N, F], Y [L, 1, N, H], Y_h [1, N, H].
        var timeMajor = g.Node("Transpose", [x.Name], name + "_time_major", OnnxGraph.Ints("perm", 1, 0, 2));
        var inputs = new[] { timeMajor, g.Weight(name + ".W", w, 1, width, features), g.Weight(name + ".R", r, 1, width, units), g.Weight(name + ".B", b, 1, 2 * width) };
        if (layer.ReturnSequences)
        {
            var y = g.NodeWithOutputs(op, inputs, [g.Fresh(name + "_Y")], [.. attributes])[0];
            var squeezed = g.Node("Squeeze", [y, g.Int64s("axis1", 1)], name + "_Y_one_direction");
            return new OnnxValue(g.Node("Transpose", [squeezed], name, OnnxGraph.Ints("perm", 1, 0, 2)), [steps, units]);
        }
        var last = g.NodeWithOutputs(op, inputs, ["", g.Fresh(name + "_Y_h")], [.. attributes])[1];
        return new OnnxValue(g.Node("Squeeze", [last, g.Int64s("axis0", 0)], name), [units]);
    }
}
