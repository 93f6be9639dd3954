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
        var acc = Launch.Same(x, mean, var);
        Check(n, c, s);
        Launch.AtLeast(x, (long)n * c * s, nameof(x));
        Launch.AtLeast(mean, c, nameof(mean));
        Launch.AtLeast(var, c, nameof(var));
        if (Launch.IsCpu(acc)) { BatchNormCpu.Stats(n, c, s, Launch.Array(x), Launch.Array(mean), Launch.Array(var), Launch.Parallel(acc)); return; }
        var device = Launch.Device(acc);
        device.Kernels<BatchNormKernels.Loaded>().RunStatistics(device, new BatchNormKernels.Shape { N = n, C = c, S = s }, Launch.View(x), Launch.View(mean), Launch.View(var));
    }

    /// <summary>y = gamma·(x − mean)/sqrt(var + eps) + beta per channel.</summary>
    public static void Forward(int n, int c, int s, float eps, DeviceBuffer<float> x, DeviceBuffer<float> mean, DeviceBuffer<float> var,
        DeviceBuffer<float> gamma, DeviceBuffer<float> beta, DeviceBuffer<float> y)
    {
        var acc = Launch.Same(x, mean, var, gamma, beta, y);
        Check(n, c, s);
        long total = (long)n * c * s;
        Launch.AtLeast(x, total, nameof(x));
        Launch.AtLeast(y, total, nameof(y));
        if (Launch.IsCpu(acc)) { BatchNormCpu.Forward(n, c, s, eps, Launch.Array(x), Launch.Array(mean), Launch.Array(var), Launch.Array(gamma), Launch.Array(beta), Launch.Array(y), Launch.Parallel(acc)); return; }
        var device = Launch.Device(acc);
        device.Kernels<BatchNormKernels.Loaded>().RunForward(device, new BatchNormKernels.Shape { N = n, C = c, S = s, Eps = eps },
            Launch.View(x), Launch.View(mean), Launch.View(var), Launch.View(gamma), Launch.View(beta), Launch.View(y));
    }

    /// <summary>
    /// dx (overwritten), and dgamma, dbeta (overwritten). With <paramref name="batchStatistics"/> the
    /// forward pass used this batch's mean and variance and dx includes the gradient through them;
    /// otherwise they were fixed (moving averages, inference) and dx = gamma·dy/sqrt(var + eps).
    /// </summary>
    public static void Backward(int n, int c, int s, float eps, DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> mean, DeviceBuffer<float> var,
        DeviceBuffer<float> gamma, DeviceBuffer<float> dx, DeviceBuffer<float> dgamma, DeviceBuffer<float> dbeta, bool batchStatistics = true)
    {
        var acc = Launch.Same(x, dy, mean, var, gamma, dx, dgamma, dbeta);
        Check(n, c, s);
        long total = (long)n * c * s;
        Launch.AtLeast(x, total, nameof(x));
        Launch.AtLeast(dy, total, nameof(dy));
        Launch.AtLeast(dx, total, nameof(dx));
        if (Launch.IsCpu(acc))
        {
            BatchNormCpu.Backward(n, c, s, eps, batchStatistics, Launch.Array(x), Launch.Array(dy), Launch.Array(mean), Launch.Array(var), Launch.Array(gamma), Launch.Array(dx), Launch.Array(dgamma), Launch.Array(dbeta), Launch.Parallel(acc));
            return;
        }
        var device = Launch.Device(acc);
        device.Kernels<BatchNormKernels.Loaded>().RunBackward(device, new BatchNormKernels.Shape { N = n, C = c, S = s, Eps = eps, BatchStatistics = batchStatistics ? 1 : 0 },
            Launch.View(x), Launch.View(dy), Launch.View(mean), Launch.View(var), Launch.View(gamma), Launch.View(dx), Launch.View(dgamma), Launch.View(dbeta));
    }

}
