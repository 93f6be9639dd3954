using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

public enum Padding
{
    /// <summary>No padding: Lout = Lin − K + 1.</summary>
    Valid,
    /// <summary>Zero padding so that Lout = Lin; the left side gets (K−1)/2, as Keras and PyTorch do.</summary>
    Same,
}

/// <summary>The shape of a stride-1 conv1d over (N, Cin, Lin) with weights (Cout, Cin, K).</summary>
public readonly record struct Conv1dShape(int N, int Cin, int Lin, int Cout, int K, Padding Padding)
{
    public int Pad => Padding == Padding.Same ? (K - 1) / 2 : 0;
    public int Lout => Padding == Padding.Same ? Lin : Lin - K + 1;
    public long InputLength => (long)N * Cin * Lin;
    public long OutputLength => (long)N * Cout * Lout;
    public long WeightLength => (long)Cout * Cin * K;

    /// <summary>Multiply-adds of one forward pass (×2 for FLOPs).</summary>
    public long MultiplyAdds => (long)N * Cout * Lout * Cin * K;

    internal void Validate()
    {
        if (N <= 0 || Cin <= 0 || Lin <= 0 || Cout <= 0 || K <= 0) throw new ArgumentOutOfRangeException(nameof(Conv1dShape), $"conv1d shape must be positive: {this}");
        if (Lout <= 0) throw new ArgumentOutOfRangeException(nameof(Conv1dShape), $"kernel {K} is longer than the input {Lin} with {Padding} padding");
    }
}

/// <summary>1-D convolution forward and backward on any accelerator.</summary>
public static class Conv1d
{

    /// <summary>y = conv(x, w) + bias.</summary>
    public static void Forward(Conv1dShape s, DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float>? bias, DeviceBuffer<float> y)
    {
        var acc = ArgumentChecks.Same(x, w, y);
        Check(s, x, w, y);
        if (bias is not null) { ArgumentChecks.Same(x, bias); ArgumentChecks.AtLeast(bias, s.Cout, nameof(bias)); }
        if (Dispatch.IsCpu(acc))
        {
            Conv1dCpu.Forward(s, BufferAccess.Array(x), BufferAccess.Array(w), bias is null ? null : BufferAccess.Array(bias), BufferAccess.Array(y), Dispatch.Parallel(acc));
            return;
        }
        var device = Dispatch.Device(acc);
        device.Kernels<Conv1dKernels.Loaded>().RunCorrelate(device, "conv1d.forward", new Conv1dKernels.Correlation
        {
            N = s.N, A = s.Cin, La = s.Lin, O = s.Cout, Lo = s.Lout, K = s.K, Pad = s.Pad, WStrideO = s.Cin * s.K, WStrideA = s.K,
        }, BufferAccess.View(x), BufferAccess.View(w), BufferAccess.ViewOrEmpty(bias), BufferAccess.View(y));
    }

    /// <summary>dx from dy; dx is overwritten.</summary>
    public static void BackwardInput(Conv1dShape s, DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx)
    {
        var acc = ArgumentChecks.Same(dy, w, dx);
        Check(s, dx, w, dy);
        if (Dispatch.IsCpu(acc)) { Conv1dCpu.BackwardInput(s, BufferAccess.Array(dy), BufferAccess.Array(w), BufferAccess.Array(dx), Dispatch.Parallel(acc)); return; }
        // dx is the correlation of dy with the flipped taps of w transposed (Cin × Cout), padded K − 1 − pad on the left.
        var device = Dispatch.Device(acc);
        device.Kernels<Conv1dKernels.Loaded>().RunCorrelate(device, "conv1d.backward_input", new Conv1dKernels.Correlation
        {
            N = s.N, A = s.Cout, La = s.Lout, O = s.Cin, Lo = s.Lin, K = s.K, Pad = s.K - 1 - s.Pad, WStrideO = s.K, WStrideA = s.Cin * s.K, Flip = 1,
        }, BufferAccess.View(dy), BufferAccess.View(w), default, BufferAccess.View(dx));
    }

    /// <summary>dw (and db when given) from x and dy; both are overwritten.</summary>
    public static void BackwardWeight(Conv1dShape s, DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float>? db = null)
    {
        var acc = ArgumentChecks.Same(x, dy, dw);
        Check(s, x, dw, dy);
        if (db is not null) { ArgumentChecks.Same(x, db); ArgumentChecks.AtLeast(db, s.Cout, nameof(db)); }
        if (Dispatch.IsCpu(acc)) { Conv1dCpu.BackwardWeight(s, BufferAccess.Array(x), BufferAccess.Array(dy), BufferAccess.Array(dw), db is null ? null : BufferAccess.Array(db), Dispatch.Parallel(acc)); return; }
        var device = Dispatch.Device(acc);
        var kernels = device.Kernels<Conv1dKernels.Loaded>();
        var shape = new Conv1dKernels.Shape { N = s.N, Cin = s.Cin, Lin = s.Lin, Cout = s.Cout, K = s.K, Pad = s.Pad, Lout = s.Lout };
        kernels.RunWeightGrad(device, shape, BufferAccess.View(x), BufferAccess.View(dy), BufferAccess.View(dw));
        if (db is not null) Elementwise.BiasGrad(dy, db, s.N, s.Cout, s.Lout); // the elementwise family's channel reduction
    }


    private static void Check(Conv1dShape s, DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> y)
    {
        s.Validate();
        ArgumentChecks.AtLeast(x, s.InputLength, "x");
        ArgumentChecks.AtLeast(w, s.WeightLength, "w");
        ArgumentChecks.AtLeast(y, s.OutputLength, "y");
    }
}
