using EcgGpu.Runtime;

namespace EcgGpu.Nn.Layers;

/// <summary>Flatten: the same memory, seen as one vector per sample.</summary>
public sealed class Flatten : Layer
{
    protected override int[] BuildCore(int[] inputShape, BuildContext c) => [Size(inputShape)];
    public override DeviceBuffer<float> Forward(DeviceBuffer<float> x, int n, bool training) => x;
    public override DeviceBuffer<float> Backward(DeviceBuffer<float> dy, int n) => dy;
}
