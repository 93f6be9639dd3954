using EcgGpu.Kernels;
using EcgGpu.Runtime;

namespace EcgGpu.Nn.Layers;

/// <summary>GlobalAveragePooling1D: [C, L] → [C].</summary>
public sealed class GlobalAveragePooling1D : Layer
{
    private int _channels, _length;
    private DeviceBuffer<float>? _y, _dx;

    protected override int[] BuildCore(int[] inputShape, BuildContext c)
    {
        if (inputShape.Length != 2) throw new ArgumentException("GlobalAveragePooling1D expects [C, L]");
        (_channels, _length) = (inputShape[0], inputShape[1]);
        _y = Buffer(_channels);
        _dx = Buffer((long)_channels * _length);
        return [_channels];
    }

    public override DeviceBuffer<float> Forward(DeviceBuffer<float> x, int n, bool training)
    {
        Pool.GlobalAverageForward(n * _channels, _length, x, _y!);
        return _y!;
    }

    public override DeviceBuffer<float> Backward(DeviceBuffer<float> dy, int n)
    {
        Pool.GlobalAverageBackward(n * _channels, _length, dy, _dx!);
        return _dx!;
    }
}
