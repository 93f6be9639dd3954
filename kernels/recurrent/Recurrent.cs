using EcgGpu.Runtime;
using EcgGpu.Runtime.Ilgpu;
using ILGPU;
using ILGPU.Runtime;
using Accelerator = EcgGpu.Runtime.Accelerator;

namespace EcgGpu.Kernels;

/// <summary>
/// Forward and backward through a whole sequence for the three recurrent cells: the input projection of every step
/// is one GEMM, the recurrence one launch per layer and direction (the cell's part: <see cref="Lstm"/>,
/// <see cref="Gru"/>, <see cref="SimpleRnn"/>), the weight and input gradients GEMMs around it.
/// </summary>
public static class Recurrent
{
    /// <summary>Runs the layer over x (N, L, I); the states land in <see cref="RecurrentState.Hidden"/>.</summary>
    public static void Forward(RecurrentShape s, DeviceBuffer<float> x, RecurrentWeights w, RecurrentState state)
    {
        var acc = Check(s, x, w, state);
        // The input projection of every step at once: (N·L, I) · (I, G·H); the cells add the biases.
        Gemm.Run(false, false, (int)s.Rows, s.GateWidth, s.I, 1f, x, w.W, 0f, state.Gates);
        switch (s.Cell)
        {
            case RecurrentCell.Lstm: Lstm.Forward(acc, s, w, state); break;
            case RecurrentCell.Gru: Gru.Forward(acc, s, w, state); break;
            default: SimpleRnn.Forward(acc, s, w, state); break;
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
        ArgumentChecks.Same(x, dHidden);
        ArgumentChecks.AtLeast(dHidden, s.HiddenLength, nameof(dHidden));
        switch (s.Cell)
        {
            case RecurrentCell.Lstm: Lstm.Backward(acc, s, w, state, dHidden); break;
            case RecurrentCell.Gru: Gru.Backward(acc, s, w, state, dHidden); break;
            default: SimpleRnn.Backward(acc, s, w, state, dHidden); break;
        }
        int rows = (int)s.Rows;
        if (grads.W is not null) Gemm.Run(true, false, s.I, s.GateWidth, rows, 1f, x, state.GateGrad, 0f, grads.W);
        if (grads.U is not null)
        {
            ShiftTime(s, state.Hidden, state.Previous);
            Gemm.Run(true, false, s.H, s.GateWidth, rows, 1f, state.Previous, state.RecurrentGateGrad, 0f, grads.U);
        }
        if (grads.Input is not null) Gemm.Run(false, true, rows, s.I, s.GateWidth, 1f, state.GateGrad, w.W, 0f, grads.Input);
        if (Dispatch.IsCpu(acc))
        {
            if (grads.Bias is not null) Elementwise.BiasGrad(state.GateGrad, grads.Bias, rows, s.GateWidth);
            if (grads.RecurrentBias is not null) Elementwise.BiasGrad(state.RecurrentGateGrad, grads.RecurrentBias, rows, s.GateWidth);
            return;
        }
        // The sequence kernel left each group's sums of the gate gradients; the bias gradients sum those over groups.
        var device = Dispatch.Device(acc);
        var helpers = device.Kernels<RecurrentKernels.Loaded>();
        int groups = GridSize.Groups(s.N, RowsPerGroup(device, s)), width = RecurrentState.BiasPartialWidth(s);
        var partial = BufferAccess.View(state.BiasPartials!);
        if (grads.Bias is not null)
        {
            ArgumentChecks.AtLeast(grads.Bias, s.GateWidth, "bias gradient");
            helpers.ColumnSum(device, new RecurrentKernels.ColumnSumArgs { Rows = groups, Width = width, Offset = 0, Count = s.GateWidth }, partial, BufferAccess.View(grads.Bias));
        }
        if (grads.RecurrentBias is not null)
        {
            ArgumentChecks.AtLeast(grads.RecurrentBias, s.GateWidth, "recurrent bias gradient");
            int offset = s.Cell == RecurrentCell.Gru ? s.GateWidth : 0; // equal to the input side but for the GRU
            helpers.ColumnSum(device, new RecurrentKernels.ColumnSumArgs { Rows = groups, Width = width, Offset = offset, Count = s.GateWidth }, partial, BufferAccess.View(grads.RecurrentBias));
        }
    }

    /// <summary>last (N, H) = hidden[:, L−1, :], for layers that return only the final state.</summary>
    public static void TakeLast(int n, int l, int h, DeviceBuffer<float> hidden, DeviceBuffer<float> last)
    {
        var acc = ArgumentChecks.Same(hidden, last);
        ArgumentChecks.AtLeast(hidden, (long)n * l * h, nameof(hidden));
        ArgumentChecks.AtLeast(last, (long)n * h, nameof(last));
        if (Dispatch.IsCpu(acc))
        {
            Span<float> src = BufferAccess.Span(hidden), dst = BufferAccess.Span(last);
            for (int i = 0; i < n; i++) src.Slice((i * l + l - 1) * h, h).CopyTo(dst.Slice(i * h, h));
            return;
        }
        if ((long)n * h == 0) return;
        var device = Dispatch.Device(acc);
        device.Kernels<RecurrentKernels.Loaded>().TakeLast(device, new RecurrentKernels.Dims { N = n, L = l, H = h }, BufferAccess.View(hidden), BufferAccess.View(last));
    }

    /// <summary>dHidden (N, L, H) = zeros with dLast (N, H) at the last step.</summary>
    public static void SpreadLast(int n, int l, int h, DeviceBuffer<float> dLast, DeviceBuffer<float> dHidden)
    {
        var acc = ArgumentChecks.Same(dLast, dHidden);
        ArgumentChecks.AtLeast(dHidden, (long)n * l * h, nameof(dHidden));
        ArgumentChecks.AtLeast(dLast, (long)n * h, nameof(dLast));
        if (Dispatch.IsCpu(acc))
        {
            Span<float> src = BufferAccess.Span(dLast), dst = BufferAccess.Span(dHidden);
            dst[..(n * l * h)].Clear();
            for (int i = 0; i < n; i++) src.Slice(i * h, h).CopyTo(dst.Slice((i * l + l - 1) * h, h));
            return;
        }
        if ((long)n * l * h == 0) return;
        var device = Dispatch.Device(acc);
        device.Kernels<RecurrentKernels.Loaded>().SpreadLast(device, new RecurrentKernels.Dims { N = n, L = l, H = h }, BufferAccess.View(dLast), BufferAccess.View(dHidden));
    }

    private static void ShiftTime(RecurrentShape s, DeviceBuffer<float> hidden, DeviceBuffer<float> previous)
    {
        var acc = hidden.Accelerator;
        if (Dispatch.IsCpu(acc))
        {
            Span<float> src = BufferAccess.Span(hidden), dst = BufferAccess.Span(previous);
            int step = s.H, seq = s.L * s.H;
            for (int n = 0; n < s.N; n++)
            {
                dst.Slice(n * seq, step).Clear();
                src.Slice(n * seq, seq - step).CopyTo(dst.Slice(n * seq + step, seq - step));
            }
            return;
        }
        var device = Dispatch.Device(acc);
        device.Kernels<RecurrentKernels.Loaded>().ShiftTime(device, new RecurrentKernels.Dims { N = s.N, L = s.L, H = s.H }, BufferAccess.View(hidden), BufferAccess.View(previous));
    }

    /// <summary>
    /// Batch rows per group of the sequence kernels. A group reads all of U every step, whatever its row count, so
    /// more rows per group share each read (4 when the batch gives every multiprocessor 4 rows, 2 when it gives 2);
    /// a small batch keeps 1 so that the groups spread over the whole device. Past H = 128 at most 2 and past
    /// H = 512 only 1 (registers: a group of up to 1,024 threads has 64 per thread), and never more than the
    /// backward kernel's shared memory (R·(H + G·H) floats) allows.
    /// </summary>
    internal static int RowsPerGroup(IlgpuAccelerator device, RecurrentShape s)
    {
        if (s.H > device.MaxWorkGroupSize)
            throw new NotSupportedException($"hidden size {s.H} exceeds the {device.MaxWorkGroupSize} threads of a group on {device}; the sequence kernels give each hidden unit one thread");
        int units = Math.Max(1, device.Device.ComputeUnits);
        int rows = s.N >= 4 * units ? 4 : s.N >= 2 * units ? 2 : 1;
        if (s.H > 128) rows = Math.Min(rows, 2);
        if (s.H > 512) rows = 1;
        while (rows > 1 && SharedBytes(s, rows) > device.LocalMemoryBytes) rows /= 2;
        if (SharedBytes(s, rows) > device.LocalMemoryBytes)
            throw new NotSupportedException($"hidden size {s.H} needs {SharedBytes(s, rows)} bytes of shared memory per group, more than the {device.LocalMemoryBytes} of {device}");
        return rows;
    }

    private static long SharedBytes(RecurrentShape s, int rows) => 4L * rows * (s.H + s.GateWidth);

    /// <summary>The scalar arguments of a cell's sequence kernel.</summary>
    internal static RecurrentKernels.Sequence Args(RecurrentShape s) => new() { N = s.N, L = s.L, H = s.H, Relu = s.Relu ? 1 : 0 };

    /// <summary>Index of a row count's kernel in a cell's <c>Loaded</c>.</summary>
    internal static int RowsSlot(int rows) => rows switch
    {
        1 => 0,
        2 => 1,
        4 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(rows), rows, "rows per group must be 1, 2 or 4"),
    };

    /// <summary>Grid: one group per <paramref name="rows"/> batch rows along X; group: one thread per hidden unit.</summary>
    internal static KernelConfig SequenceConfig(IlgpuAccelerator device, string kernel, in RecurrentKernels.Sequence s, int rows, int sharedFloats)
        => device.Config(kernel, new Index3D(GridSize.Groups(s.N, rows), 1, 1), new Index3D(s.H, 1, 1), 4 * sharedFloats);

    private static Accelerator Check(RecurrentShape s, DeviceBuffer<float> x, RecurrentWeights w, RecurrentState state)
    {
        s.Validate();
        // A state serves any batch up to the one it was made for: buffers are batch-major, so n rows are a prefix.
        if (state.Shape with { N = s.N } != s || state.Shape.N < s.N)
            throw new ArgumentException($"state was made for {state.Shape}, not {s}", nameof(state));
        var acc = ArgumentChecks.Same(x, w.W, w.U, w.Bias, state.Hidden);
        if (w.RecurrentBias is not null) { ArgumentChecks.Same(x, w.RecurrentBias); ArgumentChecks.AtLeast(w.RecurrentBias, s.GateWidth, "recurrentBias"); }
        ArgumentChecks.AtLeast(x, s.InputLength, nameof(x));
        ArgumentChecks.AtLeast(w.W, (long)s.I * s.GateWidth, "W");
        ArgumentChecks.AtLeast(w.U, (long)s.H * s.GateWidth, "U");
        ArgumentChecks.AtLeast(w.Bias, s.GateWidth, "bias");
        return acc;
    }
}
