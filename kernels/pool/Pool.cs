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
        var acc = ArgumentChecks.Same(x, y, argmax);
        int lout = Validate(rows, lin, kernel, stride);
        ArgumentChecks.AtLeast(x, (long)rows * lin, nameof(x));
        ArgumentChecks.AtLeast(y, (long)rows * lout, nameof(y));
        ArgumentChecks.AtLeast(argmax, (long)rows * lout, nameof(argmax));
        if (Dispatch.IsCpu(acc)) { PoolCpu.MaxForward(rows, lin, kernel, stride, lout, BufferAccess.Array(x), BufferAccess.Array(y), BufferAccess.Array(argmax), Dispatch.Parallel(acc)); return; }
        var device = Dispatch.Device(acc);
        device.Kernels<PoolKernels.Loaded>().RunMaxForward(device, new PoolKernels.MaxShape { Rows = rows, Lin = lin, K = kernel, S = stride, Lout = lout },
            BufferAccess.View(x), BufferAccess.View(y), BufferAccess.View(argmax));
    }

    /// <summary>dx (overwritten) from dy and the forward pass's argmax.</summary>
    public static void MaxBackward(int rows, int lin, int kernel, int stride, DeviceBuffer<float> dy, DeviceBuffer<int> argmax, DeviceBuffer<float> dx)
    {
        var acc = ArgumentChecks.Same(dy, argmax, dx);
        int lout = Validate(rows, lin, kernel, stride);
        ArgumentChecks.AtLeast(dx, (long)rows * lin, nameof(dx));
        ArgumentChecks.AtLeast(dy, (long)rows * lout, nameof(dy));
        ArgumentChecks.AtLeast(argmax, (long)rows * lout, nameof(argmax));
        if (Dispatch.IsCpu(acc)) { PoolCpu.MaxBackward(rows, lin, lout, BufferAccess.Array(dy), BufferAccess.Array(argmax), BufferAccess.Array(dx), Dispatch.Parallel(acc)); return; }
        var device = Dispatch.Device(acc);
        device.Kernels<PoolKernels.Loaded>().RunMaxBackward(device, new PoolKernels.MaxShape { Rows = rows, Lin = lin, K = kernel, S = stride, Lout = lout },
            BufferAccess.View(dy), BufferAccess.View(argmax), BufferAccess.View(dx));
    }

    /// <summary>y[r] = mean of row r.</summary>
    public static void GlobalAverageForward(int rows, int length, DeviceBuffer<float> x, DeviceBuffer<float> y)
    {
        var acc = ArgumentChecks.Same(x, y);
        ArgumentChecks.AtLeast(x, (long)rows * length, nameof(x));
        ArgumentChecks.AtLeast(y, rows, nameof(y));
        if (Dispatch.IsCpu(acc)) { PoolCpu.GapForward(rows, length, BufferAccess.Span(x), BufferAccess.Span(y)); return; }
        var device = Dispatch.Device(acc);
        device.Kernels<PoolKernels.Loaded>().RunAverageForward(device, rows, length, BufferAccess.View(x), BufferAccess.View(y));
    }

    /// <summary>dx[r, l] = dy[r] / L.</summary>
    public static void GlobalAverageBackward(int rows, int length, DeviceBuffer<float> dy, DeviceBuffer<float> dx)
    {
        var acc = ArgumentChecks.Same(dy, dx);
        ArgumentChecks.AtLeast(dx, (long)rows * length, nameof(dx));
        ArgumentChecks.AtLeast(dy, rows, nameof(dy));
        if (Dispatch.IsCpu(acc)) { PoolCpu.GapBackward(rows, length, BufferAccess.Span(dy), BufferAccess.Span(dx)); return; }
        var device = Dispatch.Device(acc);
        device.Kernels<PoolKernels.Loaded>().RunAverageBackward(device, new PoolKernels.AverageShape { Rows = rows, L = length }, BufferAccess.View(dy), BufferAccess.View(dx));
    }

    private static int Validate(int rows, int lin, int kernel, int stride)
    {
        if (rows <= 0 || lin <= 0 || kernel <= 0 || stride <= 0) throw new ArgumentOutOfRangeException(nameof(kernel), $"pool needs positive sizes (rows {rows}, length {lin}, kernel {kernel}, stride {stride})");
        int lout = OutputLength(lin, kernel, stride);
        if (lout <= 0) throw new ArgumentOutOfRangeException(nameof(kernel), $"pool kernel {kernel} is longer than the input {lin}");
        return lout;
    }

}
