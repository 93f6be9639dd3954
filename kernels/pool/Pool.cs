using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>Max pooling and global average pooling over rows of length L (rows = N·C for NCL tensors).</summary>
public static class Pool
{
    /// <summary>Output length of a floor-mode pool.</summary>
    public static int OutputLength(int lin, int kernel, int stride) => lin < kernel ? 0 : (lin - kernel) / stride + 1;

    /// <summary>y = max over each window; <paramref name="argmax"/> keeps the winning position in its row for the backward pass.</summary>
    public static void MaxForward(int rows, int lin, int kernel, int stride, DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<int> argmax)
    {
        var acc = Launch.Same(x, y, argmax);
        int lout = Validate(rows, lin, kernel, stride);
        Launch.AtLeast(x, (long)rows * lin, nameof(x));
        Launch.AtLeast(y, (long)rows * lout, nameof(y));
        Launch.AtLeast(argmax, (long)rows * lout, nameof(argmax));
        if (Launch.IsCpu(acc)) { PoolCpu.MaxForward(rows, lin, kernel, stride, lout, Launch.Array(x), Launch.Array(y), Launch.Array(argmax), Launch.Parallel(acc)); return; }
        var device = Launch.Device(acc);
        device.Kernels<PoolKernels.Loaded>().RunMaxForward(device, new PoolKernels.MaxShape { Rows = rows, Lin = lin, K = kernel, S = stride, Lout = lout },
            Launch.View(x), Launch.View(y), Launch.View(argmax));
    }

    /// <summary>dx (overwritten) from dy and the forward pass's argmax.</summary>
    public static void MaxBackward(int rows, int lin, int kernel, int stride, DeviceBuffer<float> dy, DeviceBuffer<int> argmax, DeviceBuffer<float> dx)
    {
        var acc = Launch.Same(dy, argmax, dx);
        int lout = Validate(rows, lin, kernel, stride);
        Launch.AtLeast(dx, (long)rows * lin, nameof(dx));
        Launch.AtLeast(dy, (long)rows * lout, nameof(dy));
        Launch.AtLeast(argmax, (long)rows * lout, nameof(argmax));
        if (Launch.IsCpu(acc)) { PoolCpu.MaxBackward(rows, lin, lout, Launch.Array(dy), Launch.Array(argmax), Launch.Array(dx), Launch.Parallel(acc)); return; }
        var device = Launch.Device(acc);
        device.Kernels<PoolKernels.Loaded>().RunMaxBackward(device, new PoolKernels.MaxShape { Rows = rows, Lin = lin, K = kernel, S = stride, Lout = lout },
            Launch.View(dy), Launch.View(argmax), Launch.View(dx));
    }

    /// <summary>y[r] = mean of row r.</summary>
    public static void GlobalAverageForward(int rows, int length, DeviceBuffer<float> x, DeviceBuffer<float> y)
    {
        var acc = Launch.Same(x, y);
        Launch.AtLeast(x, (long)rows * length, nameof(x));
        Launch.AtLeast(y, rows, nameof(y));
        if (Launch.IsCpu(acc)) { PoolCpu.GapForward(rows, length, Launch.Span(x), Launch.Span(y)); return; }
        var device = Launch.Device(acc);
        device.Kernels<PoolKernels.Loaded>().RunAverageForward(device, rows, length, Launch.View(x), Launch.View(y));
    }

    /// <summary>dx[r, l] = dy[r] / L.</summary>
    public static void GlobalAverageBackward(int rows, int length, DeviceBuffer<float> dy, DeviceBuffer<float> dx)
    {
        var acc = Launch.Same(dy, dx);
        Launch.AtLeast(dx, (long)rows * length, nameof(dx));
        Launch.AtLeast(dy, rows, nameof(dy));
        if (Launch.IsCpu(acc)) { PoolCpu.GapBackward(rows, length, Launch.Span(dy), Launch.Span(dx)); return; }
        var device = Launch.Device(acc);
        device.Kernels<PoolKernels.Loaded>().RunAverageBackward(device, new PoolKernels.AverageShape { Rows = rows, L = length }, Launch.View(dy), Launch.View(dx));
    }

    private static int Validate(int rows, int lin, int kernel, int stride)
    {
        if (rows <= 0 || lin <= 0 || kernel <= 0 || stride <= 0) throw new ArgumentOutOfRangeException(nameof(kernel), $"pool needs positive sizes (rows {rows}, length {lin}, kernel {kernel}, stride {stride})");
        int lout = OutputLength(lin, kernel, stride);
        if (lout <= 0) throw new ArgumentOutOfRangeException(nameof(kernel), $"pool kernel {kernel} is longer than the input {lin}");
        return lout;
    }

}
