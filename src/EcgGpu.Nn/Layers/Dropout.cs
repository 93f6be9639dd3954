using EcgGpu.Runtime;

namespace EcgGpu.Nn.Layers;

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

    /// <summary>
    /// The batch row the current rows start at: a data-parallel rank holding rows r… of the batch draws the mask
    /// one process draws for those rows (0 outside data-parallel training).
    /// </summary>
    internal int FirstRow { get; set; }

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
        Kernels.Dropout.Forward(Rate, _seed, _step++, x, _y!, _mask!, (long)n * _size, (long)FirstRow * _size);
        return _y!;
    }

    public override DeviceBuffer<float> Backward(DeviceBuffer<float> dy, int n)
    {
        if (!_active) return dy;
        Kernels.Dropout.Backward(dy, _mask!, _dx!, (long)n * _size);
        return _dx!;
    }
}
