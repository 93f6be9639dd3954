using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>Inverted dropout whose mask is a pure function of (seed, offset, index) on every backend.</summary>
public static class Dropout
{
    /// <summary>
    /// y = x ⊙ mask with mask = 1/(1−rate) where kept and 0 where dropped. Use a new
    /// <paramref name="offset"/> per step (e.g. the step number) to draw a new mask from the same seed.
    /// <paramref name="firstElement"/> places the n elements in the stream: a data-parallel rank whose shard starts
    /// at row r of the global batch passes r × row width and draws exactly the mask one process draws for those rows.
    /// </summary>
    public static void Forward(float rate, ulong seed, uint offset, DeviceBuffer<float> x, DeviceBuffer<float> y, DeviceBuffer<float> mask, long n = -1, long firstElement = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstElement);
        if (!(rate >= 0f && rate < 1f)) throw new ArgumentOutOfRangeException(nameof(rate), $"dropout rate must be in [0, 1), got {rate}");
        var acc = ArgumentChecks.Same(x, y, mask);
        int count = Elementwise.Count(n, y, x, mask);
        if (Dispatch.IsCpu(acc)) { DropoutCpu.Forward(rate, seed, offset, BufferAccess.Array(x), BufferAccess.Array(y), BufferAccess.Array(mask), count, Dispatch.Parallel(acc), firstElement); return; }
        var device = Dispatch.Device(acc);
        device.Kernels<DropoutKernels.Loaded>().Forward(device, count, rate, seed, offset, firstElement, BufferAccess.View(x), BufferAccess.View(y), BufferAccess.View(mask));
    }

    /// <summary>dx = dy ⊙ mask.</summary>
    public static void Backward(DeviceBuffer<float> dy, DeviceBuffer<float> mask, DeviceBuffer<float> dx, long n = -1)
        => Elementwise.Multiply(dy, mask, dx, n);
}
