using EcgGpu.Kernels;
using EcgGpu.Runtime;

namespace EcgGpu.Nn.Layers;

/// <summary>Keras <c>Attention()([h, h])</c>, self-attention over [L, D]: softmax(h hᵀ) h, unscaled unless asked.</summary>
public sealed class SelfAttention(bool scaled = false) : Layer
{
    public override string TypeName => "Attention";
    /// <summary>Whether the scores are divided by √D before the softmax.</summary>
    public bool Scaled { get; } = scaled;
    private int _steps, _dim;
    private float _scale;
    private DeviceBuffer<float>? _x, _weights, _y, _scratch, _dq, _dv;

    public override string DisplayShape => $"(None, {_steps}, {_dim})";

    protected override int[] BuildCore(int[] inputShape, BuildContext c)
    {
        if (inputShape.Length != 2) throw new ArgumentException("Attention expects [L, D] per sample (a recurrent layer with return_sequences)");
        (_steps, _dim) = (inputShape[0], inputShape[1]);
        _scale = Scaled ? 1f / MathF.Sqrt(_dim) : 1f;
        _weights = Buffer((long)_steps * _steps);
        _scratch = Buffer((long)_steps * _steps);
        _y = Buffer((long)_steps * _dim);
        _dq = Buffer((long)_steps * _dim);
        _dv = Buffer((long)_steps * _dim);
        return inputShape;
    }

    public override DeviceBuffer<float> Forward(DeviceBuffer<float> x, int n, bool training) => Forward(x, null, n, training);

    /// <summary>
    /// Forward with a key mask (Keras's <c>mask=[None, mask]</c>): <paramref name="keyMask"/> holds n × L values,
    /// 1 for a step to attend to and 0 for padding, which then gets no attention weight. For a caller driving the
    /// layer itself; inside a <see cref="Sequential"/> every step is attended to. Backward uses the weights of the last forward.
    /// </summary>
    public DeviceBuffer<float> Forward(DeviceBuffer<float> x, DeviceBuffer<float>? keyMask, int n, bool training)
    {
        _x = x;
        Attention.Forward(new AttentionShape(n, _steps, _steps, _dim), x, x, _scale, keyMask, _weights!, _y!);
        return _y!;
    }

    public override DeviceBuffer<float> Backward(DeviceBuffer<float> dy, int n)
    {
        Attention.Backward(new AttentionShape(n, _steps, _steps, _dim), _x!, _x!, _scale, _weights!, dy, _dq!, _dv!, _scratch!);
        Elementwise.Add(_dq!, _dv!, _dv!, (long)n * _steps * _dim);
        return _dv!;
    }
}
