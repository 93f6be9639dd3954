using EcgGpu.Kernels;
using EcgGpu.Runtime;

namespace EcgGpu.Nn.Layers;

/// <summary>
/// Shared part of LSTM, GRU and SimpleRNN over [L, F] ([L] is one feature per step). Keras defaults:
/// glorot-uniform kernel, orthogonal recurrent kernel, zero biases; LSTM and SimpleRNN have one bias,
/// GRU (reset_after) two; the LSTM's forget-gate bias starts at 1.
/// </summary>
public abstract class RecurrentLayer(int units, bool returnSequences) : Layer
{
    public int Units { get; } = units > 0 ? units : throw new ArgumentOutOfRangeException(nameof(units));
    public bool ReturnSequences { get; } = returnSequences;
    private protected abstract RecurrentCell Cell { get; }
    protected virtual bool Relu => false;
    /// <summary>Whether the candidate (GRU) or the state (SimpleRNN) uses relu instead of tanh.</summary>
    public bool ReluCandidate => Relu;
    private int _steps, _features;
    private Parameter? _w, _u, _b, _br;
    private RecurrentState? _state;
    private DeviceBuffer<float>? _x, _last, _dHidden, _dx;
    private RecurrentShape _shape;

    public override string DisplayShape => ReturnSequences ? $"(None, {_steps}, {Units})" : $"(None, {Units})";

    protected override int[] BuildCore(int[] inputShape, BuildContext c)
    {
        (_steps, _features) = inputShape.Length switch
        {
            1 => (inputShape[0], 1),
            2 => (inputShape[0], inputShape[1]),
            _ => throw new ArgumentException($"{TypeName} expects [L, F] or [L] per sample"),
        };
        int g = new RecurrentShape(1, 1, 1, Units, Cell).Gates * Units;
        _w = AddParameter("kernel", [_features, g], len => Initializers.GlorotUniform(c.Random, len, _features, g));
        _u = AddParameter("recurrent_kernel", [Units, g], _ => Initializers.Orthogonal(c.Random, Units, g));
        _b = AddParameter("bias", [g], len =>
        {
            var b = new float[len];
            if (Cell == RecurrentCell.Lstm) b.AsSpan(Units, Units).Fill(1f); // unit_forget_bias
            return b;
        });
        if (Cell == RecurrentCell.Gru) _br = AddParameter("recurrent_bias", [g], Initializers.Zeros);
        _last = ReturnSequences ? null : Buffer(Units);
        _dHidden = ReturnSequences ? null : Buffer((long)_steps * Units);
        _dx = Buffer((long)_steps * _features);
        return ReturnSequences ? [_steps, Units] : [Units];
    }

    private RecurrentWeights Weights => new(_w!.Value, _u!.Value, _b!.Value, _br?.Value);

    public override DeviceBuffer<float> Forward(DeviceBuffer<float> x, int n, bool training)
    {
        _x = x;
        _shape = new RecurrentShape(n, _steps, _features, Units, Cell, Relu);
        // One state, made for the largest batch met so far; smaller batches (the last partial one) use a prefix of it.
        if (_state is null || _state.Shape.N < n)
        {
            _state?.Dispose();
            _state = new RecurrentState(Accelerator, _shape);
        }
        Recurrent.Forward(_shape, x, Weights, _state);
        if (ReturnSequences) return _state.Hidden;
        Recurrent.TakeLast(n, _steps, Units, _state.Hidden, _last!);
        return _last!;
    }

    public override DeviceBuffer<float> Backward(DeviceBuffer<float> dy, int n)
    {
        var dHidden = dy;
        if (!ReturnSequences) { Recurrent.SpreadLast(n, _steps, Units, dy, _dHidden!); dHidden = _dHidden!; }
        Recurrent.Backward(_shape, _x!, Weights, _state!, dHidden, new RecurrentGradients(_w!.Grad, _u!.Grad, _b!.Grad, _br?.Grad, _dx));
        return _dx!;
    }

    public override void Dispose()
    {
        _state?.Dispose();
        base.Dispose();
    }
}
