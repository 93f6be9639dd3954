using EcgGpu.Kernels;
using EcgGpu.Runtime;

namespace EcgGpu.Nn.Layers;

/// <summary>Flatten: the same memory, seen as one vector per sample.</summary>
public sealed class Flatten : Layer
{
    protected override int[] BuildCore(int[] inputShape, BuildContext c) => [Size(inputShape)];
    public override DeviceBuffer<float> Forward(DeviceBuffer<float> x, int n, bool training) => x;
    public override DeviceBuffer<float> Backward(DeviceBuffer<float> dy, int n) => dy;
}

/// <summary>Inverted dropout while training (a new Philox mask each step); the identity otherwise.</summary>
public sealed class Dropout(float rate) : Layer
{
    public float Rate { get; } = rate is >= 0f and < 1f ? rate : throw new ArgumentOutOfRangeException(nameof(rate), "dropout rate must be in [0, 1)");
    private int _size;
    private ulong _seed;
    private uint _step;
    private bool _active;

    /// <summary>Training steps taken (the Philox offset of the next mask); restored on resume so the masks continue.</summary>
    internal uint Step { get => _step; set => _step = value; }

    /// <summary>The Philox key of this layer's masks; saved in a training checkpoint so a resumed run draws the same masks.</summary>
    internal ulong Seed { get => _seed; set => _seed = value; }
    private DeviceBuffer<float>? _y, _mask, _dx;

    protected override int[] BuildCore(int[] inputShape, BuildContext c)
    {
        _size = Size(inputShape);
        _seed = c.Seed ^ (ulong)c.Random.NextInt64();
        _y = Buffer(_size);
        _mask = Buffer(_size);
        _dx = Buffer(_size);
        return inputShape;
    }

    public override DeviceBuffer<float> Forward(DeviceBuffer<float> x, int n, bool training)
    {
        _active = training && Rate > 0f;
        if (!_active) return x;
        Kernels.Dropout.Forward(Rate, _seed, _step++, x, _y!, _mask!, (long)n * _size);
        return _y!;
    }

    public override DeviceBuffer<float> Backward(DeviceBuffer<float> dy, int n)
    {
        if (!_active) return dy;
        Kernels.Dropout.Backward(dy, _mask!, _dx!, (long)n * _size);
        return _dx!;
    }
}

/// <summary>An activation on its own.</summary>
public sealed class ActivationLayer(Activation activation) : Layer
{
    public override string TypeName => "Activation";
    public Activation Activation { get; } = activation;
    private int _size;
    private DeviceBuffer<float>? _y, _dx;

    protected override int[] BuildCore(int[] inputShape, BuildContext c)
    {
        _size = Size(inputShape);
        _y = Buffer(_size);
        _dx = Buffer(_size);
        return inputShape;
    }

    public override DeviceBuffer<float> Forward(DeviceBuffer<float> x, int n, bool training)
    {
        Elementwise.Forward(Activation, x, _y!, (long)n * _size);
        return _y!;
    }

    public override DeviceBuffer<float> Backward(DeviceBuffer<float> dy, int n)
    {
        Elementwise.Backward(Activation, _y!, dy, _dx!, (long)n * _size);
        return _dx!;
    }
}

/// <summary>Swaps the two axes of each sample: a convolution's [C, L] into a recurrent layer's [L, C], and back.</summary>
public sealed class Permute : Layer
{
    private int _a, _b;
    private DeviceBuffer<float>? _y, _dx;

    protected override int[] BuildCore(int[] inputShape, BuildContext c)
    {
        if (inputShape.Length != 2) throw new ArgumentException("Permute expects two axes per sample");
        (_a, _b) = (inputShape[0], inputShape[1]);
        _y = Buffer((long)_a * _b);
        _dx = Buffer((long)_a * _b);
        return [_b, _a];
    }

    public override DeviceBuffer<float> Forward(DeviceBuffer<float> x, int n, bool training)
    {
        Elementwise.Transpose(n, _a, _b, x, _y!);
        return _y!;
    }

    public override DeviceBuffer<float> Backward(DeviceBuffer<float> dy, int n)
    {
        Elementwise.Transpose(n, _b, _a, dy, _dx!);
        return _dx!;
    }
}
