using EcgGpu.Kernels;
using EcgGpu.Runtime;

namespace EcgGpu.Nn.Layers;

/// <summary>y = act(x·W + b), W (in, units) as Keras stores it.</summary>
public sealed class Dense(int units, Activation activation = Activation.Identity, float l2 = 0f) : Layer
{
    public int Units { get; } = units > 0 ? units : throw new ArgumentOutOfRangeException(nameof(units), "Dense needs at least one unit");
    public Activation Activation { get; } = activation;
    private int _in;
    private Parameter? _w, _b;
    private DeviceBuffer<float>? _x, _y, _dz, _dx;

    protected override int[] BuildCore(int[] inputShape, BuildContext c)
    {
        if (inputShape.Length != 1) throw new ArgumentException($"Dense expects a vector per sample, got [{string.Join(", ", inputShape)}]; add Flatten first");
        _in = inputShape[0];
        _w = AddParameter(new Parameter("kernel", [_in, Units], Accelerator.Upload<float>(Initializers.GlorotUniform(c.Random, _in * Units, _in, Units)), Accelerator.Allocate<float>(_in * Units)) { L2 = l2 });
        _b = AddParameter("bias", [Units], Initializers.Zeros);
        _y = Buffer(Units);
        _dz = Activation == Activation.Identity ? null : Buffer(Units);
        _dx = Buffer(_in);
        return [Units];
    }

    public override DeviceBuffer<float> Forward(DeviceBuffer<float> x, int n, bool training)
    {
        _x = x;
        Gemm.Run(false, false, n, Units, _in, 1f, x, _w!.Value, 0f, _y!);
        Elementwise.BiasAdd(_y!, _b!.Value, n, Units);
        if (Activation != Activation.Identity) Elementwise.Forward(Activation.ToKernel(), _y!, _y!, (long)n * Units);
        return _y!;
    }

    public override DeviceBuffer<float> Backward(DeviceBuffer<float> dy, int n)
    {
        var dz = dy;
        if (Activation != Activation.Identity) { Elementwise.Backward(Activation.ToKernel(), _y!, dy, _dz!, (long)n * Units); dz = _dz!; }
        Gemm.Run(true, false, _in, Units, n, 1f, _x!, dz, 0f, _w!.Grad);
        Elementwise.BiasGrad(dz, _b!.Grad, n, Units);
        Gemm.Run(false, true, n, _in, Units, 1f, dz, _w.Value, 0f, _dx!);
        return _dx!;
    }
}
