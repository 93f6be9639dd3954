using EcgGpu.Runtime;

namespace EcgGpu.Nn;

/// <summary>
/// A layer: forward and backward over a batch of n ≤ MaxBatch samples. Per-sample shapes: [F] a
/// vector, [C, L] channels × steps for convolutions and pooling, [L, F] steps × features for
/// recurrent layers and attention (a plain [L] input is one channel, or one feature per step).
/// Buffers are allocated once in <see cref="Build"/>, so a training step allocates nothing.
/// </summary>
public abstract class Layer : IDisposable
{
    private readonly List<Parameter> _parameters = new();
    private readonly List<DeviceMemory> _buffers = new();
    private Accelerator? _accelerator;

    public string Name { get; set; } = "";
    public int[] InputShape { get; private set; } = [];
    public int[] OutputShape { get; private set; } = [];
    public bool IsBuilt { get; private set; }
    public IReadOnlyList<Parameter> Parameters => _parameters;
    public long ParameterCount => _parameters.Sum(p => p.Length);
    protected Accelerator Accelerator => _accelerator ?? throw new InvalidOperationException($"layer {Name} is not built");
    protected int MaxBatch { get; private set; }

    /// <summary>
    /// False for a model's first layer, whose input gradient nobody reads: layers may then skip computing
    /// it (Conv1D does), and what Backward returns is unspecified.
    /// </summary>
    public bool InputGradientNeeded { get; internal set; } = true;

    /// <summary>Layers this one runs inside it whose state is not a parameter (a branch's Dropout masks); empty for plain layers.</summary>
    public virtual IEnumerable<Layer> Children => [];

    /// <summary>Names the unnamed layers as Keras does: their type in lower case, then "_1", "_2", … for repeats.</summary>
    public static void NameUnnamed(IEnumerable<Layer> layers)
    {
        var counts = new Dictionary<string, int>();
        foreach (var l in layers)
        {
            if (l.Name.Length > 0) continue;
            var key = l.TypeName.ToLowerInvariant();
            counts[key] = counts.GetValueOrDefault(key) + 1;
            l.Name = counts[key] == 1 ? key : $"{key}_{counts[key] - 1}";
        }
    }

    /// <summary>Keras's name for the layer type, for <c>Summary()</c>.</summary>
    public virtual string TypeName => GetType().Name;

    /// <summary>The output shape as Keras prints it (steps before channels).</summary>
    public virtual string DisplayShape => "(None, " + string.Join(", ", OutputShape) + ")";

    public void Build(int[] inputShape, BuildContext context)
    {
        if (IsBuilt) throw new InvalidOperationException($"layer {Name} is already built");
        InputShape = inputShape;
        _accelerator = context.Accelerator;
        MaxBatch = context.MaxBatch;
        OutputShape = BuildCore(inputShape, context);
        IsBuilt = true;
    }

    protected abstract int[] BuildCore(int[] inputShape, BuildContext context);

    /// <summary>Output of the first n samples of x; the returned buffer belongs to the layer (or is x).</summary>
    public abstract DeviceBuffer<float> Forward(DeviceBuffer<float> x, int n, bool training);

    /// <summary>Gradient with respect to the last forward input; parameter gradients are overwritten.</summary>
    public abstract DeviceBuffer<float> Backward(DeviceBuffer<float> dy, int n);

    protected static int Size(int[] shape) => shape.Aggregate(1, (a, b) => checked(a * b));

    protected Parameter AddParameter(string name, int[] shape, Func<int, float[]> init)
    {
        int length = Size(shape);
        var values = init(length);
        var value = Accelerator.Upload<float>(values);
        var p = new Parameter(name, shape, value, Accelerator.Allocate<float>(length));
        _parameters.Add(p);
        return p;
    }

    protected Parameter AddParameter(Parameter p)
    {
        _parameters.Add(p);
        return p;
    }

    /// <summary>A buffer of <paramref name="perSample"/> floats for each of MaxBatch samples, freed with the layer.</summary>
    protected DeviceBuffer<float> Buffer(long perSample) => Track(Accelerator.Allocate<float>(perSample * MaxBatch));

    protected T Track<T>(T buffer) where T : DeviceMemory
    {
        _buffers.Add(buffer);
        return buffer;
    }

    public virtual void Dispose()
    {
        foreach (var p in _parameters) p.Dispose();
        foreach (var b in _buffers) b.Dispose();
        _parameters.Clear();
        _buffers.Clear();
        GC.SuppressFinalize(this);
    }
}
