using EcgGpu.Kernels;
using EcgGpu.Runtime;

namespace EcgGpu.Nn.Layers;

/// <summary>
/// Keras BatchNormalization (momentum 0.99, ε 1e-3) over the channel axis: the first axis of a
/// sample, i.e. the channels of a Conv1D output (C, L) or the features of a Dense output. Training
/// normalises with the batch's statistics and updates the moving averages; inference uses the moving
/// averages. gamma and beta are trained; moving_mean and moving_variance are saved but not trained,
/// and count in the parameter total as Keras's non-trainable parameters do.
/// </summary>
public sealed class BatchNormalization(float momentum = 0.99f, float epsilon = 1e-3f) : Layer
{
    public float Momentum { get; } = momentum is >= 0f and < 1f ? momentum : throw new ArgumentOutOfRangeException(nameof(momentum), "momentum must be in [0, 1)");
    public float Epsilon { get; } = epsilon > 0f ? epsilon : throw new ArgumentOutOfRangeException(nameof(epsilon), "epsilon must be positive");
    private int _channels, _spatial;
    private Parameter? _gamma, _beta, _movingMean, _movingVariance;
    private DeviceBuffer<float>? _x, _y, _dx, _batchMean, _batchVariance;
    private bool _usedBatchStatistics;

    protected override int[] BuildCore(int[] inputShape, BuildContext c)
    {
        if (inputShape.Length is < 1 or > 2) throw new ArgumentException($"BatchNormalization expects (features) or (channels, length), got [{string.Join(", ", inputShape)}]");
        _channels = inputShape[0];
        _spatial = inputShape.Length == 2 ? inputShape[1] : 1;
        _gamma = AddParameter("gamma", [_channels], n => Enumerable.Repeat(1f, n).ToArray());
        _beta = AddParameter("beta", [_channels], Initializers.Zeros);
        _movingMean = AddParameter(new Parameter("moving_mean", [_channels], Accelerator.Upload<float>(new float[_channels]), Accelerator.Allocate<float>(_channels)) { Trainable = false });
        _movingVariance = AddParameter(new Parameter("moving_variance", [_channels], Accelerator.Upload<float>(Enumerable.Repeat(1f, _channels).ToArray()), Accelerator.Allocate<float>(_channels)) { Trainable = false });
        _movingMean.Grad.Fill(0f);
        _movingVariance.Grad.Fill(0f);
        _batchMean = Track(Accelerator.Allocate<float>(_channels));
        _batchVariance = Track(Accelerator.Allocate<float>(_channels));
        int size = Size(inputShape);
        _y = Buffer(size);
        _dx = Buffer(size);
        return inputShape;
    }

    public override DeviceBuffer<float> Forward(DeviceBuffer<float> x, int n, bool training)
    {
        _x = x;
        _usedBatchStatistics = training;
        if (training)
        {
            BatchNorm.Statistics(n, _channels, _spatial, x, _batchMean!, _batchVariance!);
            BatchNorm.Forward(n, _channels, _spatial, Epsilon, x, _batchMean!, _batchVariance!, _gamma!.Value, _beta!.Value, _y!);
            // moving = momentum·moving + (1 − momentum)·batch, as Keras.
            Elementwise.Axpby(1f - Momentum, _batchMean!, Momentum, _movingMean!.Value);
            Elementwise.Axpby(1f - Momentum, _batchVariance!, Momentum, _movingVariance!.Value);
        }
        else BatchNorm.Forward(n, _channels, _spatial, Epsilon, x, _movingMean!.Value, _movingVariance!.Value, _gamma!.Value, _beta!.Value, _y!);
        return _y!;
    }

    public override DeviceBuffer<float> Backward(DeviceBuffer<float> dy, int n)
    {
        var (mean, variance) = _usedBatchStatistics ? (_batchMean!, _batchVariance!) : (_movingMean!.Value, _movingVariance!.Value);
        BatchNorm.Backward(n, _channels, _spatial, Epsilon, _x!, dy, mean, variance, _gamma!.Value, _dx!, _gamma.Grad, _beta!.Grad, _usedBatchStatistics);
        return _dx!;
    }
}
