using EcgGpu.Kernels;
using EcgGpu.Runtime;

namespace EcgGpu.Nn.Layers;

/// <summary>Conv1D(filters, kernel, padding, activation) over [C, L] (a plain [L] input is one channel).</summary>
public sealed class Conv1D(int filters, int kernelSize, Activation activation = Activation.Identity, Padding padding = Padding.Valid) : Layer
{
    public int Filters { get; } = filters;
    public int KernelSize { get; } = kernelSize;
    public Activation Activation { get; } = activation;
    public Padding Padding { get; } = padding;
    private int _cin, _lin, _lout;
    private Parameter? _w, _b;
    private DeviceBuffer<float>? _x, _y, _dz, _dx;

    public override string DisplayShape => $"(None, {_lout}, {Filters})";

    protected override int[] BuildCore(int[] inputShape, BuildContext c)
    {
        (_cin, _lin) = inputShape.Length switch
        {
            1 => (1, inputShape[0]),
            2 => (inputShape[0], inputShape[1]),
            _ => throw new ArgumentException($"Conv1D expects [C, L] or [L], got [{string.Join(", ", inputShape)}]"),
        };
        var probe = new Conv1dShape(1, _cin, _lin, Filters, KernelSize, Padding.ToKernel());
        _lout = probe.Lout;
        if (_lout <= 0) throw new ArgumentException($"Conv1D kernel {KernelSize} is longer than the input length {_lin}");
        int fanIn = _cin * KernelSize, fanOut = Filters * KernelSize;
        _w = AddParameter("kernel", [Filters, _cin, KernelSize], len => Initializers.GlorotUniform(c.Random, len, fanIn, fanOut));
        _b = AddParameter("bias", [Filters], Initializers.Zeros);
        _y = Buffer((long)Filters * _lout);
        _dz = Activation == Activation.Identity ? null : Buffer((long)Filters * _lout);
        _dx = Buffer((long)_cin * _lin);
        return [Filters, _lout];
    }

    private Conv1dShape Shape(int n) => new(n, _cin, _lin, Filters, KernelSize, Padding.ToKernel());

    public override DeviceBuffer<float> Forward(DeviceBuffer<float> x, int n, bool training)
    {
        _x = x;
        Conv1d.Forward(Shape(n), x, _w!.Value, _b!.Value, _y!);
        if (Activation != Activation.Identity) Elementwise.Forward(Activation.ToKernel(), _y!, _y!, (long)n * Filters * _lout);
        return _y!;
    }

    public override DeviceBuffer<float> Backward(DeviceBuffer<float> dy, int n)
    {
        var dz = dy;
        if (Activation != Activation.Identity) { Elementwise.Backward(Activation.ToKernel(), _y!, dy, _dz!, (long)n * Filters * _lout); dz = _dz!; }
        Conv1d.BackwardWeight(Shape(n), _x!, dz, _w!.Grad, _b!.Grad);
        if (InputGradientNeeded) Conv1d.BackwardInput(Shape(n), dz, _w.Value, _dx!);
        return _dx!;
    }
}
