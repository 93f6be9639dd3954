using System.Text;
using EcgGpu.Runtime;

namespace EcgGpu.Nn;

/// <summary>
/// A stack of layers from a per-sample input shape to class logits. <see cref="Compile"/> builds it
/// on an accelerator for a batch size; then <see cref="Fit"/>, <see cref="Evaluate"/> and
/// <see cref="Predict"/> as in Keras. The last layer's outputs are logits: the softmax is fused with
/// the loss while training and applied by <see cref="Predict"/>.
/// </summary>
public sealed partial class Sequential : IDisposable
{
    private readonly List<Layer> _layers;

    public Sequential(string name, int[] inputShape, params Layer[] layers)
    {
        if (layers.Length == 0) throw new ArgumentException("a model needs at least one layer", nameof(layers));
        Name = name;
        InputShape = inputShape;
        _layers = layers.ToList();
        Layer.NameUnnamed(_layers);
    }

    public string Name { get; }
    public int[] InputShape { get; }
    public IReadOnlyList<Layer> Layers => _layers;

    /// <summary>The layers and, depth first, the layers they hold (<see cref="Layer.Children"/>).</summary>
    public IEnumerable<Layer> AllLayers => _layers.SelectMany(Flatten);

    private static IEnumerable<Layer> Flatten(Layer layer) => layer.Children.SelectMany(Flatten).Prepend(layer);
    public Accelerator? Accelerator { get; private set; }
    public int BatchSize { get; private set; }
    public Optimizer? Optimizer { get; private set; }
    public int InputWidth => InputShape.Aggregate(1, (a, b) => a * b);
    public int Classes => _layers[^1].OutputShape.Aggregate(1, (a, b) => a * b);
    public IEnumerable<Parameter> Parameters => _layers.SelectMany(l => l.Parameters);
    public long ParameterCount => _layers.Sum(l => l.ParameterCount);
    /// <summary>The parameters the optimiser updates; the rest (BatchNormalization's moving statistics) are Keras's non-trainable ones.</summary>
    public long TrainableParameterCount => Parameters.Where(p => p.Trainable).Sum(p => p.Length);

    /// <summary>Builds every layer on <paramref name="accelerator"/> for batches of up to <paramref name="batchSize"/>.</summary>
    public Sequential Compile(Accelerator accelerator, Optimizer? optimizer = null, int batchSize = 64, int seed = 1)
    {
        if (Accelerator is not null) throw new InvalidOperationException($"model {Name} is already compiled");
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), "batch size must be positive");
        Accelerator = accelerator;
        BatchSize = batchSize;
        Optimizer = optimizer ?? new AdamOptimizer();
        var context = new BuildContext(accelerator, batchSize, new Random(seed), (ulong)seed);
        var shape = InputShape;
        _layers[0].InputGradientNeeded = false;
        foreach (var layer in _layers)
        {
            layer.Build(shape, context);
            shape = layer.OutputShape;
        }
        if (shape.Length != 1) throw new ArgumentException($"the last layer must give one vector of logits per sample, gives [{string.Join(", ", shape)}]");
        return this;
    }

    /// <summary>Logits of the first n rows of x (n ≤ BatchSize).</summary>
    public DeviceBuffer<float> Forward(DeviceBuffer<float> x, int n, bool training)
    {
        var h = x;
        foreach (var layer in _layers) h = layer.Forward(h, n, training);
        return h;
    }

    /// <summary>Backward from the gradient of the logits; fills every parameter's gradient.</summary>
    public void Backward(DeviceBuffer<float> dLogits, int n)
    {
        var d = dLogits;
        for (int i = _layers.Count - 1; i >= 0; i--) d = _layers[i].Backward(d, n);
    }

    /// <summary>The layers, their output shapes and parameter counts, as Keras's <c>model.summary()</c> prints them.</summary>
    public string Summary()
    {
        if (Accelerator is null) throw new InvalidOperationException("compile the model first (shapes are inferred when it is built)");
        var sb = new StringBuilder();
        sb.AppendLine($"Model: \"{Name}\"");
        string rule = new('─', 72);
        sb.AppendLine(rule);
        sb.AppendLine($"{"Layer (type)",-34}{"Output Shape",-24}{"Param #",14}");
        sb.AppendLine(new string('═', 72));
        foreach (var l in _layers)
            sb.AppendLine($"{$"{l.Name} ({l.TypeName})",-34}{l.DisplayShape,-24}{l.ParameterCount,14:N0}");
        sb.AppendLine(new string('═', 72));
        sb.AppendLine($"Total params: {ParameterCount:N0}");
        sb.AppendLine($"Trainable params: {TrainableParameterCount:N0}");
        sb.AppendLine($"Non-trainable params: {ParameterCount - TrainableParameterCount:N0}");
        return sb.ToString();
    }

    public void Dispose()
    {
        foreach (var l in _layers) l.Dispose();
    }
}
