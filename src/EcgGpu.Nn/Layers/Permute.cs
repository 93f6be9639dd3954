using EcgGpu.Kernels;
using EcgGpu.Runtime;

namespace EcgGpu.Nn.Layers;

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
