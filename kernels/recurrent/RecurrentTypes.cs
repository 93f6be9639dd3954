using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>The recurrent cells.</summary>
public enum RecurrentCell
{
    /// <summary>Gates i, f, g, o.</summary>
    Lstm,
    /// <summary>Gates r, z, n with the reset gate after the recurrent product (Keras reset_after=True, PyTorch).</summary>
    Gru,
    /// <summary>One gate: h' = act(x·W + b + U h + c).</summary>
    SimpleRnn,
}

/// <summary>
/// A recurrent layer over (N, L, I) inputs, batch first, returning every hidden state (N, L, H).
/// <paramref name="Relu"/> selects relu for the candidate (GRU) or the state (SimpleRNN) instead of tanh.
/// </summary>
public readonly record struct RecurrentShape(int N, int L, int I, int H, RecurrentCell Cell, bool Relu = false)
{
    public int Gates => Cell switch { RecurrentCell.Lstm => 4, RecurrentCell.Gru => 3, _ => 1 };
    /// <summary>Width of the stacked gates, Gates · H.</summary>
    public int GateWidth => Gates * H;
    public long Rows => (long)N * L;
    public long InputLength => Rows * I;
    public long HiddenLength => Rows * H;

    internal void Validate()
    {
        if (N <= 0 || L <= 0 || I <= 0 || H <= 0) throw new ArgumentOutOfRangeException(nameof(RecurrentShape), $"recurrent shape must be positive: {this}");
        if (Relu && Cell == RecurrentCell.Lstm) throw new ArgumentException("the LSTM cell has no relu variant here", nameof(Relu));
    }
}

/// <summary>
/// Weights in Keras layout: <see cref="W"/> (I, G·H) the kernel, <see cref="U"/> (H, G·H) the recurrent
/// kernel, <see cref="Bias"/> (G·H) on the input side and an optional <see cref="RecurrentBias"/> (G·H) on
/// the recurrent side (PyTorch's b_hh; Keras GRU reset_after's second bias row). Gates stack in PyTorch
/// order: LSTM i, f, g, o (= Keras i, f, c, o); GRU r, z, n (Keras stacks z, r, h).
/// </summary>
public sealed record RecurrentWeights(DeviceBuffer<float> W, DeviceBuffer<float> U, DeviceBuffer<float> Bias, DeviceBuffer<float>? RecurrentBias = null);

/// <summary>Gradient outputs (overwritten); leave one null to skip it.</summary>
public sealed record RecurrentGradients(DeviceBuffer<float>? W, DeviceBuffer<float>? U, DeviceBuffer<float>? Bias,
    DeviceBuffer<float>? RecurrentBias = null, DeviceBuffer<float>? Input = null);

/// <summary>
/// What a forward pass keeps for the backward pass, and the backward scratch: allocated once per shape,
/// so training steps allocate nothing. Memory: LSTM (N·L)·(4H + H + H) floats (gates, c, h); GRU
/// (N·L)·(3H + 2H); SimpleRNN (N·L)·2H; the backward scratch adds (N·L)·(G·H [+ G·H for GRU] + H), and on a
/// device N·G·H [·2 for GRU] floats of per-group bias-gradient partials.
/// </summary>
public sealed class RecurrentState : IDisposable
{
    public RecurrentState(Accelerator accelerator, RecurrentShape shape)
    {
        shape.Validate();
        Shape = shape;
        Hidden = accelerator.Allocate<float>(shape.HiddenLength);
        Gates = accelerator.Allocate<float>(shape.Rows * shape.GateWidth);
        SavedForBackward = shape.Cell == RecurrentCell.SimpleRnn ? null : accelerator.Allocate<float>(shape.HiddenLength);
        GateGrad = accelerator.Allocate<float>(shape.Rows * shape.GateWidth);
        RecurrentGateGrad = shape.Cell == RecurrentCell.Gru ? accelerator.Allocate<float>(shape.Rows * shape.GateWidth) : GateGrad;
        Previous = accelerator.Allocate<float>(shape.HiddenLength);
        // At most one group per batch row; the managed CPU sums the bias gradients directly.
        BiasPartials = Dispatch.IsCpu(accelerator) ? null : accelerator.Allocate<float>((long)shape.N * BiasPartialWidth(shape));
    }

    /// <summary>Floats per group of <see cref="BiasPartials"/>: Σ of the input-side gate gradients, then for the GRU the recurrent side.</summary>
    internal static int BiasPartialWidth(RecurrentShape shape) => shape.Cell == RecurrentCell.Gru ? 2 * shape.GateWidth : shape.GateWidth;

    public RecurrentShape Shape { get; }
    /// <summary>Every hidden state, (N, L, H): the layer's output.</summary>
    public DeviceBuffer<float> Hidden { get; }
    /// <summary>Activated gates (LSTM, GRU) or the pre-activation (SimpleRNN), (N, L, G·H).</summary>
    public DeviceBuffer<float> Gates { get; }
    /// <summary>Per step, what the backward pass needs besides the gates and h: LSTM the cell states c; GRU U_n h + c_n; SimpleRNN none.</summary>
    public DeviceBuffer<float>? SavedForBackward { get; }
    /// <summary>Gradient of x·W + b for every step (N, L, G·H).</summary>
    public DeviceBuffer<float> GateGrad { get; }
    /// <summary>Gradient of U h + c; the same buffer as <see cref="GateGrad"/> except for the GRU.</summary>
    public DeviceBuffer<float> RecurrentGateGrad { get; }
    /// <summary>The state each step started from, h shifted by one step.</summary>
    public DeviceBuffer<float> Previous { get; }
    /// <summary>Device only: each group's sums of its gate gradients, (groups, <see cref="BiasPartialWidth"/>).</summary>
    internal DeviceBuffer<float>? BiasPartials { get; }

    public void Dispose()
    {
        Hidden.Dispose();
        Gates.Dispose();
        SavedForBackward?.Dispose();
        GateGrad.Dispose();
        if (!ReferenceEquals(RecurrentGateGrad, GateGrad)) RecurrentGateGrad.Dispose();
        Previous.Dispose();
        BiasPartials?.Dispose();
    }
}

