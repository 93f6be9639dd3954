using EcgGpu.Kernels;
using EcgGpu.Runtime;

namespace EcgGpu.Nn.Layers;

/// <summary>MaxPooling1D(pool, strides) over the steps of [C, L] (floor mode, as Keras 'valid').</summary>
public sealed class MaxPooling1D(int poolSize = 2, int? strides = null) : Layer
{
    public int PoolSize { get; } = poolSize;
    public int Strides { get; } = strides ?? poolSize;
    private int _rows, _lin, _lout;
    private DeviceBuffer<float>? _y, _dx;
    private DeviceBuffer<int>? _argmax;

    public override string DisplayShape => $"(None, {_lout}, {_rows})";

    protected override int[] BuildCore(int[] inputShape, BuildContext c)
    {
        (_rows, _lin) = inputShape.Length == 2 ? (inputShape[0], inputShape[1]) : (1, inputShape[0]);
        _lout = Pool.OutputLength(_lin, PoolSize, Strides);
        if (_lout <= 0) throw new ArgumentException($"MaxPooling1D({PoolSize}) is longer than the input length {_lin}");
        _y = Buffer((long)_rows * _lout);
        _dx = Buffer((long)_rows * _lin);
        _argmax = Track(Accelerator.Allocate<int>((long)_rows * _lout * MaxBatch));
        return [_rows, _lout];
    }

    public override DeviceBuffer<float> Forward(DeviceBuffer<float> x, int n, bool training)
    {
        Pool.MaxForward(n * _rows, _lin, PoolSize, Strides, x, _y!, _argmax!);
        return _y!;
    }

    public override DeviceBuffer<float> Backward(DeviceBuffer<float> dy, int n)
    {
        Pool.MaxBackward(n * _rows, _lin, PoolSize, Strides, dy, _argmax!, _dx!);
        return _dx!;
    }
}
