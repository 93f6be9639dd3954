using EcgGpu.Kernels;
using EcgGpu.Runtime;

namespace EcgGpu.Nn.Layers;

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
        Elementwise.Forward(Activation.ToKernel(), x, _y!, (long)n * _size);
        return _y!;
    }

    public override DeviceBuffer<float> Backward(DeviceBuffer<float> dy, int n)
    {
        Elementwise.Backward(Activation.ToKernel(), _y!, dy, _dx!, (long)n * _size);
        return _dx!;
    }
}
