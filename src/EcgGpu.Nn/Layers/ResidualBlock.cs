using EcgGpu.Kernels;
using EcgGpu.Runtime;

namespace EcgGpu.Nn.Layers;

/// <summary>
/// Kachuee et al. 2018's residual unit: Conv(F, K, same) → ReLU → Conv(F, K, same) → + input → ReLU →
/// MaxPool(pool, stride). The input must already have F channels.
/// </summary>
public sealed class ResidualBlock(int filters = 32, int kernelSize = 5, int poolSize = 5, int poolStride = 2) : Layer
{
    private readonly Conv1D _conv1 = new(filters, kernelSize, Activation.Relu, Padding.Same) { Name = "conv_a" };
    private readonly Conv1D _conv2 = new(filters, kernelSize, Activation.Identity, Padding.Same) { Name = "conv_b" };
    private readonly ActivationLayer _relu = new(Activation.Relu);
    private readonly MaxPooling1D _pool = new(poolSize, poolStride);
    public int Filters { get; } = filters;
    public int KernelSize { get; } = kernelSize;
    public int PoolSize { get; } = poolSize;
    public int PoolStride { get; } = poolStride;
    private int _size;
    private DeviceBuffer<float>? _sum, _dx;

    public override string DisplayShape => _pool.DisplayShape;

    protected override int[] BuildCore(int[] inputShape, BuildContext c)
    {
        if (inputShape.Length != 2 || inputShape[0] != Filters)
            throw new ArgumentException($"ResidualBlock({Filters}) expects [{Filters}, L] per sample, got [{string.Join(", ", inputShape)}]");
        _size = Size(inputShape);
        _conv1.Build(inputShape, c);
        _conv2.Build(_conv1.OutputShape, c);
        _relu.Build(inputShape, c);
        _pool.Build(inputShape, c);
        foreach (var layer in new Layer[] { _conv1, _conv2 })
            foreach (var p in layer.Parameters) { p.Name = $"{layer.Name}.{p.Name}"; AddParameter(p); }
        _sum = Buffer(_size);
        _dx = Buffer(_size);
        return _pool.OutputShape;
    }

    public override DeviceBuffer<float> Forward(DeviceBuffer<float> x, int n, bool training)
    {
        var h = _conv2.Forward(_conv1.Forward(x, n, training), n, training);
        Elementwise.Add(h, x, _sum!, (long)n * _size);
        return _pool.Forward(_relu.Forward(_sum!, n, training), n, training);
    }

    public override DeviceBuffer<float> Backward(DeviceBuffer<float> dy, int n)
    {
        var dSum = _relu.Backward(_pool.Backward(dy, n), n);
        var dConv = _conv1.Backward(_conv2.Backward(dSum, n), n);
        Elementwise.Add(dConv, dSum, _dx!, (long)n * _size); // the skip path carries dSum straight back
        return _dx!;
    }

    public override void Dispose()
    {
        // The convolutions' parameters are registered here too; disposing a buffer twice is harmless.
        _conv1.Dispose();
        _conv2.Dispose();
        _relu.Dispose();
        _pool.Dispose();
        base.Dispose();
    }
}
