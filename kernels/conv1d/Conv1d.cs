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
        var acc = Launch.Same(x, w, y);
        Check(s, x, w, y);
        if (bias is not null) { Launch.Same(x, bias); Launch.AtLeast(bias, s.Cout, nameof(bias)); }
        if (Launch.IsCpu(acc))
        {
            Conv1dCpu.Forward(s, Launch.Array(x), Launch.Array(w), bias is null ? null : Launch.Array(bias), Launch.Array(y), Launch.Parallel(acc));
            return;
        }
        var device = Launch.Device(acc);
        device.Kernels<Conv1dKernels.Loaded>().RunCorrelate(device, "conv1d.forward", new Conv1dKernels.Correlation
        {
            N = s.N, A = s.Cin, La = s.Lin, O = s.Cout, Lo = s.Lout, K = s.K, Pad = s.Pad, WStrideO = s.Cin * s.K, WStrideA = s.K,
        }, Launch.View(x), Launch.View(w), Launch.ViewOrEmpty(bias), Launch.View(y));
    }

    /// <summary>dx from dy; dx is overwritten.</summary>
    public static void BackwardInput(Conv1dShape s, DeviceBuffer<float> dy, DeviceBuffer<float> w, DeviceBuffer<float> dx)
    {
        var acc = Launch.Same(dy, w, dx);
        Check(s, dx, w, dy);
        if (Launch.IsCpu(acc)) { Conv1dCpu.BackwardInput(s, Launch.Array(dy), Launch.Array(w), Launch.Array(dx), Launch.Parallel(acc)); return; }
        // dx is the correlation of dy with the flipped taps of w transposed (Cin × Cout), padded K − 1 − pad on the left.
        var device = Launch.Device(acc);
        device.Kernels<Conv1dKernels.Loaded>().RunCorrelate(device, "conv1d.backward_input", new Conv1dKernels.Correlation
        {
            N = s.N, A = s.Cout, La = s.Lout, O = s.Cin, Lo = s.Lin, K = s.K, Pad = s.K - 1 - s.Pad, WStrideO = s.K, WStrideA = s.Cin * s.K, Flip = 1,
        }, Launch.View(dy), Launch.View(w), default, Launch.View(dx));
    }

    /// <summary>dw (and db when given) from x and dy; both are overwritten.</summary>
    public static void BackwardWeight(Conv1dShape s, DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dw, DeviceBuffer<float>? db = null)
    {
        var acc = Launch.Same(x, dy, dw);
        Check(s, x, dw, dy);
        if (db is not null) { Launch.Same(x, db); Launch.AtLeast(db, s.Cout, nameof(db)); }
        if (Launch.IsCpu(acc)) { Conv1dCpu.BackwardWeight(s, Launch.Array(x), Launch.Array(dy), Launch.Array(dw), db is null ? null : Launch.Array(db), Launch.Parallel(acc)); return; }
        var device = Launch.Device(acc);
        var kernels = device.Kernels<Conv1dKernels.Loaded>();
        var shape = new Conv1dKernels.Shape { N = s.N, Cin = s.Cin, Lin = s.Lin, Cout = s.Cout, K = s.K, Pad = s.Pad, Lout = s.Lout };
        kernels.RunWeightGrad(device, shape, Launch.View(x), Launch.View(dy), Launch.View(dw));
        if (db is not null) Elementwise.BiasGrad(dy, db, s.N, s.Cout, s.Lout); // the elementwise family's channel reduction
    }


    private static void Check(Conv1dShape s, DeviceBuffer<float> x, DeviceBuffer<float> w, DeviceBuffer<float> y)
    {
        s.Validate();
        Launch.AtLeast(x, s.InputLength, "x");
        Launch.AtLeast(w, s.WeightLength, "w");
        Launch.AtLeast(y, s.OutputLength, "y");
    }
}
