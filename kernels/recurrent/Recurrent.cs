using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

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
/// (N·L)·(3H + 2H); SimpleRNN (N·L)·2H; the backward scratch adds (N·L)·(G·H [+ G·H for GRU] + H).
/// </summary>
public sealed class RecurrentState : IDisposable
{
    public RecurrentState(Accelerator accelerator, RecurrentShape shape)
    {
        shape.Validate();
        Shape = shape;
        Hidden = accelerator.Allocate<float>(shape.HiddenLength);
        Gates = accelerator.Allocate<float>(shape.Rows * shape.GateWidth);
        Aux = shape.Cell == RecurrentCell.SimpleRnn ? null : accelerator.Allocate<float>(shape.HiddenLength);
        GateGrad = accelerator.Allocate<float>(shape.Rows * shape.GateWidth);
        RecurrentGateGrad = shape.Cell == RecurrentCell.Gru ? accelerator.Allocate<float>(shape.Rows * shape.GateWidth) : GateGrad;
        Previous = accelerator.Allocate<float>(shape.HiddenLength);
    }

    public RecurrentShape Shape { get; }
    /// <summary>Every hidden state, (N, L, H): the layer's output.</summary>
    public DeviceBuffer<float> Hidden { get; }
    /// <summary>Activated gates (LSTM, GRU) or the pre-activation (SimpleRNN), (N, L, G·H).</summary>
    public DeviceBuffer<float> Gates { get; }
    /// <summary>LSTM: cell states c; GRU: U_n h + c_n; SimpleRNN: none.</summary>
    public DeviceBuffer<float>? Aux { get; }
    /// <summary>Gradient of x·W + b for every step (N, L, G·H).</summary>
    public DeviceBuffer<float> GateGrad { get; }
    /// <summary>Gradient of U h + c; the same buffer as <see cref="GateGrad"/> except for the GRU.</summary>
    public DeviceBuffer<float> RecurrentGateGrad { get; }
    /// <summary>The state each step started from, h shifted by one step.</summary>
    public DeviceBuffer<float> Previous { get; }

    public void Dispose()
    {
        Hidden.Dispose();
        Gates.Dispose();
        Aux?.Dispose();
        GateGrad.Dispose();
        if (!ReferenceEquals(RecurrentGateGrad, GateGrad)) RecurrentGateGrad.Dispose();
        Previous.Dispose();
    }
}

/// <summary>Forward and backward through a whole sequence for the three recurrent cells.</summary>
public static class Recurrent
{
    internal const string HelperSource = "recurrent/recurrent.cl";

    /// <summary>Runs the layer over x (N, L, I); the states land in <see cref="RecurrentState.Hidden"/>.</summary>
    public static void Forward(RecurrentShape s, DeviceBuffer<float> x, RecurrentWeights w, RecurrentState state)
    {
        var acc = Check(s, x, w, state);
        // The input projection of every step at once: (N·L, I) · (I, G·H) + b.
        Gemm.Run(false, false, (int)s.Rows, s.GateWidth, s.I, 1f, x, w.W, 0f, state.Gates);
        Elementwise.BiasAdd(state.Gates, w.Bias, (int)s.Rows, s.GateWidth);
        if (Launch.IsCpu(acc)) { RecurrentCpu.Forward(s, w, state, Launch.Parallel(acc)); return; }
        var (kernel, local, groups) = SequenceKernel(acc, s, forward: true);
        var biasR = w.RecurrentBias ?? w.U;
        int useBiasR = w.RecurrentBias is null ? 0 : 1;
        switch (s.Cell)
        {
            case RecurrentCell.Lstm: kernel.Launch(groups * local, local, s.N, s.L, state.Gates, w.U, biasR, useBiasR, state.Hidden, state.Aux!); break;
            case RecurrentCell.Gru: kernel.Launch(groups * local, local, s.N, s.L, s.Relu ? 1 : 0, state.Gates, w.U, biasR, useBiasR, state.Hidden, state.Aux!); break;
            default: kernel.Launch(groups * local, local, s.N, s.L, s.Relu ? 1 : 0, state.Gates, w.U, biasR, useBiasR, state.Hidden); break;
        }
    }

    /// <summary>
    /// Backward through time from <paramref name="dHidden"/> (N, L, H), the gradient reaching every
    /// output state (zero except the last step for a layer that returns only the last state).
    /// Needs the <paramref name="state"/> of the matching forward pass and the same x.
    /// </summary>
    public static void Backward(RecurrentShape s, DeviceBuffer<float> x, RecurrentWeights w, RecurrentState state,
        DeviceBuffer<float> dHidden, RecurrentGradients grads)
    {
        var acc = Check(s, x, w, state);
        Launch.Same(x, dHidden);
        Launch.AtLeast(dHidden, s.HiddenLength, nameof(dHidden));
        if (Launch.IsCpu(acc)) RecurrentCpu.Backward(s, w, state, dHidden, Launch.Parallel(acc));
        else
        {
            var (kernel, local, groups) = SequenceKernel(acc, s, forward: false);
            switch (s.Cell)
            {
                case RecurrentCell.Lstm: kernel.Launch(groups * local, local, s.N, s.L, state.Gates, state.Aux!, dHidden, w.U, state.GateGrad); break;
                case RecurrentCell.Gru: kernel.Launch(groups * local, local, s.N, s.L, s.Relu ? 1 : 0, state.Gates, state.Aux!, state.Hidden, dHidden, w.U, state.GateGrad, state.RecurrentGateGrad); break;
                default: kernel.Launch(groups * local, local, s.N, s.L, s.Relu ? 1 : 0, state.Hidden, dHidden, w.U, state.GateGrad); break;
            }
        }
        int rows = (int)s.Rows;
        if (grads.W is not null) Gemm.Run(true, false, s.I, s.GateWidth, rows, 1f, x, state.GateGrad, 0f, grads.W);
        if (grads.Bias is not null) Elementwise.BiasGrad(state.GateGrad, grads.Bias, rows, s.GateWidth);
        if (grads.U is not null)
        {
            ShiftTime(s, state.Hidden, state.Previous);
            Gemm.Run(true, false, s.H, s.GateWidth, rows, 1f, state.Previous, state.RecurrentGateGrad, 0f, grads.U);
        }
        if (grads.RecurrentBias is not null) Elementwise.BiasGrad(state.RecurrentGateGrad, grads.RecurrentBias, rows, s.GateWidth);
        if (grads.Input is not null) Gemm.Run(false, true, rows, s.I, s.GateWidth, 1f, state.GateGrad, w.W, 0f, grads.Input);
    }

    /// <summary>last (N, H) = hidden[:, L−1, :], for layers that return only the final state.</summary>
    public static void TakeLast(int n, int l, int h, DeviceBuffer<float> hidden, DeviceBuffer<float> last)
    {
        var acc = Launch.Same(hidden, last);
        Launch.AtLeast(hidden, (long)n * l * h, nameof(hidden));
        Launch.AtLeast(last, (long)n * h, nameof(last));
        if (Launch.IsCpu(acc))
        {
            Span<float> src = Launch.Span(hidden), dst = Launch.Span(last);
            for (int i = 0; i < n; i++) src.Slice((i * l + l - 1) * h, h).CopyTo(dst.Slice(i * h, h));
            return;
        }
        KernelSources.Kernel(acc, HelperSource, "take_last").Launch(n * h, LegacyLaunch.Local1D(acc), n, l, h, hidden, last);
    }

    /// <summary>dHidden (N, L, H) = zeros with dLast (N, H) at the last step.</summary>
    public static void SpreadLast(int n, int l, int h, DeviceBuffer<float> dLast, DeviceBuffer<float> dHidden)
    {
        var acc = Launch.Same(dLast, dHidden);
        Launch.AtLeast(dHidden, (long)n * l * h, nameof(dHidden));
        Launch.AtLeast(dLast, (long)n * h, nameof(dLast));
        if (Launch.IsCpu(acc))
        {
            Span<float> src = Launch.Span(dLast), dst = Launch.Span(dHidden);
            dst[..(n * l * h)].Clear();
            for (int i = 0; i < n; i++) src.Slice(i * h, h).CopyTo(dst.Slice((i * l + l - 1) * h, h));
            return;
        }
        KernelSources.Kernel(acc, HelperSource, "spread_last").Launch((long)n * l * h, LegacyLaunch.Local1D(acc), n, l, h, dLast, dHidden);
    }

    private static void ShiftTime(RecurrentShape s, DeviceBuffer<float> hidden, DeviceBuffer<float> previous)
    {
        var acc = hidden.Accelerator;
        if (Launch.IsCpu(acc))
        {
            Span<float> src = Launch.Span(hidden), dst = Launch.Span(previous);
            int step = s.H, seq = s.L * s.H;
            for (int n = 0; n < s.N; n++)
            {
                dst.Slice(n * seq, step).Clear();
                src.Slice(n * seq, seq - step).CopyTo(dst.Slice(n * seq + step, seq - step));
            }
            return;
        }
        KernelSources.Kernel(acc, HelperSource, "shift_time").Launch(s.HiddenLength, LegacyLaunch.Local1D(acc), s.N, s.L, s.H, hidden, previous);
    }

    /// <summary>
    /// The fused whole-sequence kernel for this shape: work-group = H work-items, BPG batch rows per
    /// group (more rows per group amortise the reads of U; fewer give more groups for a wide GPU).
    /// </summary>
    private static (LegacyKernel Kernel, int Local, int Groups) SequenceKernel(Accelerator acc, RecurrentShape s, bool forward)
    {
        if (s.H > acc.MaxWorkGroupSize)
            throw new NotSupportedException($"hidden size {s.H} exceeds the {acc.MaxWorkGroupSize} work-items of a work-group on {acc}; the fused sequence kernel gives each hidden unit one work-item");
        int units = Math.Max(1, acc.Device.ComputeUnits);
        int bpg = s.N >= 4 * units ? 4 : s.N >= 2 * units ? 2 : 1;
        if (s.H > 128) bpg = Math.Min(bpg, 2);
        long localFloats = (long)bpg * s.H * (1 + s.Gates);
        while (bpg > 1 && localFloats * 4 > acc.LocalMemoryBytes) { bpg /= 2; localFloats = (long)bpg * s.H * (1 + s.Gates); }
        var (source, name) = s.Cell switch
        {
            RecurrentCell.Lstm => ("lstm/lstm.cl", "lstm"),
            RecurrentCell.Gru => ("gru/gru.cl", "gru"),
            _ => ("rnn/rnn.cl", "rnn"),
        };
        var defines = new Dictionary<string, string> { ["HID"] = s.H.ToString(), ["BPG"] = bpg.ToString() };
        var kernel = KernelSources.Kernel(acc, source, name + (forward ? "_forward_seq" : "_backward_seq"), defines);
        return (kernel, s.H, (s.N + bpg - 1) / bpg);
    }

    private static Accelerator Check(RecurrentShape s, DeviceBuffer<float> x, RecurrentWeights w, RecurrentState state)
    {
        s.Validate();
        // A state serves any batch up to the one it was made for: buffers are batch-major, so n rows are a prefix.
        if (state.Shape with { N = s.N } != s || state.Shape.N < s.N)
            throw new ArgumentException($"state was made for {state.Shape}, not {s}", nameof(state));
        var acc = Launch.Same(x, w.W, w.U, w.Bias, state.Hidden);
        if (w.RecurrentBias is not null) { Launch.Same(x, w.RecurrentBias); Launch.AtLeast(w.RecurrentBias, s.GateWidth, "recurrentBias"); }
        Launch.AtLeast(x, s.InputLength, nameof(x));
        Launch.AtLeast(w.W, (long)s.I * s.GateWidth, "W");
        Launch.AtLeast(w.U, (long)s.H * s.GateWidth, "U");
        Launch.AtLeast(w.Bias, s.GateWidth, "bias");
        return acc;
    }
}
