using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>Whole-buffer sum and max (result stays on the device), and argmax per row.</summary>
public static class Reduce
{
    private const int WorkGroup = ReduceKernels.Threads;
    // 64 groups × 256 threads (16,384, a grid-stride loop over the rest) keep an H100's memory busy for the
    // sizes reduced here (a batch of losses, a gradient for clipping) and bound the second pass to 64 partials.
    private const int MaxGroups = 64;

    /// <summary>Scratch elements <see cref="Sum"/> and <see cref="Max"/> need for <paramref name="n"/> inputs.</summary>
    public static int ScratchLength(long n) => (int)Math.Clamp((n + WorkGroup - 1) / WorkGroup, 1, MaxGroups);

    /// <summary>result[0] = Σ x[0..n). Pass <paramref name="scratch"/> (<see cref="ScratchLength"/>) to avoid an allocation.</summary>
    public static void Sum(DeviceBuffer<float> x, DeviceBuffer<float> result, long n = -1, DeviceBuffer<float>? scratch = null)
        => Run(0, x, result, n, scratch);

    /// <summary>result[0] = max x[0..n) (−∞ for none).</summary>
    public static void Max(DeviceBuffer<float> x, DeviceBuffer<float> result, long n = -1, DeviceBuffer<float>? scratch = null)
        => Run(1, x, result, n, scratch);

    /// <summary>result[0] = Σ x² (squared L2 norm), for clipping gradients by norm.</summary>
    public static void SumOfSquares(DeviceBuffer<float> x, DeviceBuffer<float> result, long n = -1, DeviceBuffer<float>? scratch = null)
        => Run(2, x, result, n, scratch);

    /// <summary>Σ x, read back to the host.</summary>
    public static float SumToHost(DeviceBuffer<float> x, long n = -1)
    {
        using var result = x.Accelerator.Allocate<float>(1);
        Sum(x, result, n);
        return result.ToArray()[0];
    }

    public static float MaxToHost(DeviceBuffer<float> x, long n = -1)
    {
        using var result = x.Accelerator.Allocate<float>(1);
        Max(x, result, n);
        return result.ToArray()[0];
    }

    /// <summary>output[r] = index of the largest value in row r (the first on ties).</summary>
    public static void ArgmaxRows(int rows, int cols, DeviceBuffer<float> x, DeviceBuffer<int> output)
    {
        var acc = ArgumentChecks.Same(x, output);
        if (rows <= 0 || cols <= 0) throw new ArgumentOutOfRangeException(nameof(rows), $"argmax needs positive rows and columns, got {rows} x {cols}");
        ArgumentChecks.AtLeast(x, (long)rows * cols, nameof(x));
        ArgumentChecks.AtLeast(output, rows, nameof(output));
        if (Dispatch.IsCpu(acc)) { ReduceCpu.ArgmaxRows(rows, cols, BufferAccess.Span(x), BufferAccess.Span(output)); return; }
        var device = Dispatch.Device(acc);
        device.Kernels<ReduceKernels.Loaded>().ArgmaxRows(device, rows, cols, BufferAccess.View(x), BufferAccess.View(output));
    }

    /// <summary>total[0] += count of positions where a and b agree (e.g. predicted and true classes).</summary>
    public static void AccumulateEqual(int n, DeviceBuffer<int> a, DeviceBuffer<int> b, DeviceBuffer<float> total)
    {
        var acc = ArgumentChecks.Same(a, b, total);
        ArgumentChecks.AtLeast(a, n, nameof(a));
        ArgumentChecks.AtLeast(b, n, nameof(b));
        if (Dispatch.IsCpu(acc))
        {
            Span<int> x = BufferAccess.Span(a), y = BufferAccess.Span(b);
            int count = 0;
            for (int i = 0; i < n; i++) if (x[i] == y[i]) count++;
            BufferAccess.Span(total)[0] += count;
            return;
        }
        var device = Dispatch.Device(acc);
        device.Kernels<ReduceKernels.Loaded>().CountEqual(device, n, BufferAccess.View(a), BufferAccess.View(b), BufferAccess.View(total));
    }

    private static void Run(int op, DeviceBuffer<float> x, DeviceBuffer<float> result, long n, DeviceBuffer<float>? scratch)
    {
        var acc = ArgumentChecks.Same(x, result);
        int count = Elementwise.Count(n, x);
        ArgumentChecks.AtLeast(result, 1, nameof(result));
        if (Dispatch.IsCpu(acc))
        {
            var span = BufferAccess.Span(x)[..count];
            BufferAccess.Span(result)[0] = op switch { 0 => ReduceCpu.Sum(span), 1 => ReduceCpu.Max(span), _ => System.Numerics.Tensors.TensorPrimitives.SumOfSquares(span) };
            return;
        }
        int groups = ScratchLength(count);
        var device = Dispatch.Device(acc);
        var kernels = device.Kernels<ReduceKernels.Loaded>();
        if (groups == 1)
        {
            kernels.Partial(device, 1, count, op, BufferAccess.View(x), BufferAccess.View(result));
            return;
        }
        var partial = scratch ?? acc.Allocate<float>(groups);
        try
        {
            ArgumentChecks.AtLeast(partial, groups, nameof(scratch));
            kernels.Partial(device, groups, count, op, BufferAccess.View(x), BufferAccess.View(partial));
            // Partials of Σx² are summed.
            kernels.Partial(device, 1, groups, op == ReduceKernels.OpSumOfSquares ? ReduceKernels.OpSum : op, BufferAccess.View(partial), BufferAccess.View(result));
        }
        finally
        {
            if (scratch is null) { acc.Synchronize(); partial.Dispose(); }
        }
    }
}
