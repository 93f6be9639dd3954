using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>
/// Batch normalisation over (N, C, S) tensors, statistics per channel: batch statistics, the
/// normalising affine transform, and the backward pass through the statistics.
/// </summary>
public static class BatchNorm
{
    private static void Check(int n, int c, int s)
    {
        if (n <= 0 || c <= 0 || s <= 0) throw new ArgumentOutOfRangeException(nameof(n), $"batch normalisation needs positive N, C and S ({n}, {c}, {s})");
    }

    /// <summary>mean[c] and the biased variance var[c] of each channel over N·S values.</summary>
    public static void Statistics(int n, int c, int s, DeviceBuffer<float> x, DeviceBuffer<float> mean, DeviceBuffer<float> var)
    {
        var acc = ArgumentChecks.Same(x, mean, var);
        Check(n, c, s);
        ArgumentChecks.AtLeast(x, (long)n * c * s, nameof(x));
        ArgumentChecks.AtLeast(mean, c, nameof(mean));
        ArgumentChecks.AtLeast(var, c, nameof(var));
        if (Dispatch.IsCpu(acc)) { BatchNormCpu.Stats(n, c, s, BufferAccess.Array(x), BufferAccess.Array(mean), BufferAccess.Array(var), Dispatch.Parallel(acc)); return; }
        var device = Dispatch.Device(acc);
        device.Kernels<BatchNormKernels.Loaded>().RunStatistics(device, new BatchNormKernels.Shape { N = n, C = c, S = s }, BufferAccess.View(x), BufferAccess.View(mean), BufferAccess.View(var));
    }

    /// <summary>y = gamma·(x − mean)/sqrt(var + eps) + beta per channel.</summary>
    public static void Forward(int n, int c, int s, float eps, DeviceBuffer<float> x, DeviceBuffer<float> mean, DeviceBuffer<float> var,
        DeviceBuffer<float> gamma, DeviceBuffer<float> beta, DeviceBuffer<float> y)
    {
        var acc = ArgumentChecks.Same(x, mean, var, gamma, beta, y);
        Check(n, c, s);
        long total = (long)n * c * s;
        ArgumentChecks.AtLeast(x, total, nameof(x));
        ArgumentChecks.AtLeast(y, total, nameof(y));
        if (Dispatch.IsCpu(acc)) { BatchNormCpu.Forward(n, c, s, eps, BufferAccess.Array(x), BufferAccess.Array(mean), BufferAccess.Array(var), BufferAccess.Array(gamma), BufferAccess.Array(beta), BufferAccess.Array(y), Dispatch.Parallel(acc)); return; }
        var device = Dispatch.Device(acc);
        device.Kernels<BatchNormKernels.Loaded>().RunForward(device, new BatchNormKernels.Shape { N = n, C = c, S = s, Eps = eps },
            BufferAccess.View(x), BufferAccess.View(mean), BufferAccess.View(var), BufferAccess.View(gamma), BufferAccess.View(beta), BufferAccess.View(y));
    }

    /// <summary>
    /// dx (overwritten), and dgamma, dbeta (overwritten). With <paramref name="batchStatistics"/> the
    /// forward pass used this batch's mean and variance and dx includes the gradient through them;
    /// otherwise they were fixed (moving averages, inference) and dx = gamma·dy/sqrt(var + eps).
    /// </summary>
    public static void Backward(int n, int c, int s, float eps, DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> mean, DeviceBuffer<float> var,
        DeviceBuffer<float> gamma, DeviceBuffer<float> dx, DeviceBuffer<float> dgamma, DeviceBuffer<float> dbeta, bool batchStatistics = true)
    {
        var acc = ArgumentChecks.Same(x, dy, mean, var, gamma, dx, dgamma, dbeta);
        Check(n, c, s);
        long total = (long)n * c * s;
        ArgumentChecks.AtLeast(x, total, nameof(x));
        ArgumentChecks.AtLeast(dy, total, nameof(dy));
        ArgumentChecks.AtLeast(dx, total, nameof(dx));
        if (Dispatch.IsCpu(acc))
        {
            BatchNormCpu.Backward(n, c, s, eps, batchStatistics, BufferAccess.Array(x), BufferAccess.Array(dy), BufferAccess.Array(mean), BufferAccess.Array(var), BufferAccess.Array(gamma), BufferAccess.Array(dx), BufferAccess.Array(dgamma), BufferAccess.Array(dbeta), Dispatch.Parallel(acc));
            return;
        }
        var device = Dispatch.Device(acc);
        device.Kernels<BatchNormKernels.Loaded>().RunBackward(device, new BatchNormKernels.Shape { N = n, C = c, S = s, Eps = eps, BatchStatistics = batchStatistics ? 1 : 0 },
            BufferAccess.View(x), BufferAccess.View(dy), BufferAccess.View(mean), BufferAccess.View(var), BufferAccess.View(gamma), BufferAccess.View(dx), BufferAccess.View(dgamma), BufferAccess.View(dbeta));
    }

}
