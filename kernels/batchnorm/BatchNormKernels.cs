using EcgGpu.Runtime.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace EcgGpu.Kernels;

/// <summary>
/// ILGPU device code for batch normalisation over (N, C, S) tensors, statistics per channel c over its N·S values.
/// </summary>
/// <remarks>
/// The per-channel reductions (statistics, dgamma/dbeta) take a group per channel (groups loop over channels
/// in grid X) with a tree reduction in shared memory: no atomics and a fixed summation order, so results are
/// deterministic per device. The element-wise passes are grid-stride loops in grid X.
/// </remarks>
public static class BatchNormKernels
{
    public const int Threads = 256;

    /// <summary>The tensor shape, epsilon and whether the backward pass goes through the batch statistics.</summary>
    public struct Shape
    {
        public int N, C, S, BatchStatistics;
        public float Eps;
    }

    /// <summary>
    /// mean[c] and biased variance var[c] (as Keras/TensorFlow's moments). Two passes over the channel, the mean
    /// first and then Σ(x − mean)², which avoids cancellation.
    /// </summary>
    public static void Statistics(Shape s, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> var)
    {
        var buf = SharedMemory.Allocate<float>(Threads);
        int tid = Group.IdxX;
        long m = (long)s.N * s.S;
        for (int ch = Grid.IdxX; ch < s.C; ch += Grid.DimX)
        {
            float acc = 0f;
            for (long i = tid; i < m; i += Threads) acc += x[At(s, ch, i)];
            float mu = GroupSum(buf, tid, acc) / m;
            acc = 0f;
            for (long i = tid; i < m; i += Threads)
            {
                float d = x[At(s, ch, i)] - mu;
                acc += d * d;
            }
            float sq = GroupSum(buf, tid, acc);
            if (tid == 0)
            {
                mean[ch] = mu;
                var[ch] = sq / m;
            }
        }
    }

    /// <summary>y = gamma·(x − mean)/sqrt(var + eps) + beta, with batch or moving statistics.</summary>
    public static void Forward(Shape s, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> var, ArrayView<float> gamma, ArrayView<float> beta, ArrayView<float> y)
    {
        long total = (long)s.N * s.C * s.S;
        for (long i = Grid.GlobalIndex.X; i < total; i += (long)Grid.DimX * Group.DimX)
        {
            int ch = (int)(i / s.S % s.C);
            y[i] = gamma[ch] * (x[i] - mean[ch]) * (1f / MathF.Sqrt(var[ch] + s.Eps)) + beta[ch];
        }
    }

    /// <summary>dgamma[c] = Σ dy·x̂ and dbeta[c] = Σ dy over the channel (overwritten).</summary>
    public static void BackwardReduce(Shape s, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> mean, ArrayView<float> var,
        ArrayView<float> dgamma, ArrayView<float> dbeta)
    {
        var bufG = SharedMemory.Allocate<float>(Threads);
        var bufB = SharedMemory.Allocate<float>(Threads);
        int tid = Group.IdxX;
        long m = (long)s.N * s.S;
        for (int ch = Grid.IdxX; ch < s.C; ch += Grid.DimX)
        {
            float mu = mean[ch], inv = 1f / MathF.Sqrt(var[ch] + s.Eps);
            float g = 0f, b = 0f;
            for (long i = tid; i < m; i += Threads)
            {
                long k = At(s, ch, i);
                g += dy[k] * (x[k] - mu) * inv;
                b += dy[k];
            }
            // Both sums in one tree: half the barriers of two.
            bufG[tid] = g;
            bufB[tid] = b;
            Group.Barrier();
            for (int half = Threads / 2; half > 0; half >>= 1)
            {
                if (tid < half)
                {
                    bufG[tid] += bufG[tid + half];
                    bufB[tid] += bufB[tid + half];
                }
                Group.Barrier();
            }
            if (tid == 0)
            {
                dgamma[ch] = bufG[0];
                dbeta[ch] = bufB[0];
            }
            Group.Barrier(); // the buffers are free again for the next channel
        }
    }

    /// <summary>
    /// With batch statistics: dx = gamma·rsqrt(var + eps)/M · (M·dy − dbeta − x̂·dgamma), M = N·S, the gradient
    /// through the statistics. With fixed (moving) statistics: dx = gamma·rsqrt(var + eps)·dy.
    /// </summary>
    public static void BackwardDx(Shape s, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> mean, ArrayView<float> var,
        ArrayView<float> gamma, ArrayView<float> dgamma, ArrayView<float> dbeta, ArrayView<float> dx)
    {
        long total = (long)s.N * s.C * s.S;
        float m = (float)((long)s.N * s.S);
        for (long i = Grid.GlobalIndex.X; i < total; i += (long)Grid.DimX * Group.DimX)
        {
            int ch = (int)(i / s.S % s.C);
            float inv = 1f / MathF.Sqrt(var[ch] + s.Eps);
            if (s.BatchStatistics != 0)
            {
                float xhat = (x[i] - mean[ch]) * inv;
                dx[i] = gamma[ch] * inv / m * (m * dy[i] - dbeta[ch] - xhat * dgamma[ch]);
            }
            else dx[i] = gamma[ch] * inv * dy[i];
        }
    }

    /// <summary>The address of the <paramref name="i"/>-th of channel <paramref name="ch"/>'s N·S values.</summary>
    private static long At(in Shape s, int ch, long i)
    {
        long b = i / s.S;
        return (b * s.C + ch) * s.S + (i - b * s.S);
    }

    /// <summary>The sum of every thread's <paramref name="v"/>, returned to all threads (a tree in shared memory).</summary>
    private static float GroupSum(ArrayView<float> buf, int tid, float v)
    {
        buf[tid] = v;
        Group.Barrier();
        for (int half = Threads / 2; half > 0; half >>= 1)
        {
            if (tid < half) buf[tid] += buf[tid + half];
            Group.Barrier();
        }
        float sum = buf[0];
        Group.Barrier(); // buf is free again for the next sum
        return sum;
    }

    /// <summary>The family's kernels loaded on one accelerator.</summary>
    public sealed class Loaded : IKernelFamily<Loaded>
    {
        private Action<AcceleratorStream, KernelConfig, Shape, ArrayView<float>, ArrayView<float>, ArrayView<float>> _statistics = null!;
        private Action<AcceleratorStream, KernelConfig, Shape, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> _forward = null!;
        private Action<AcceleratorStream, KernelConfig, Shape, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> _backwardReduce = null!;
        private Action<AcceleratorStream, KernelConfig, Shape, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> _backwardDx = null!;

        public static Loaded Load(IlgpuAccelerator accelerator) => new()
        {
            _statistics = accelerator.Native.LoadKernel<Shape, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Statistics),
            _forward = accelerator.Native.LoadKernel<Shape, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Forward),
            _backwardReduce = accelerator.Native.LoadKernel<Shape, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(BackwardReduce),
            _backwardDx = accelerator.Native.LoadKernel<Shape, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(BackwardDx),
        };

        private static KernelConfig PerChannel(IlgpuAccelerator device, string name, in Shape s)
            => device.Config(name, new Index3D(GridSize.WaveGroups(device, s.C, Threads), 1, 1), new Index3D(Threads, 1, 1));

        private static KernelConfig PerElement(IlgpuAccelerator device, string name, in Shape s)
            => device.Config(name, new Index3D(GridSize.WaveGroups(device, GridSize.Groups((long)s.N * s.C * s.S, Threads), Threads), 1, 1), new Index3D(Threads, 1, 1));

        public void RunStatistics(IlgpuAccelerator device, in Shape s, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> var)
            => _statistics(device.Stream, PerChannel(device, "batchnorm.statistics", s), s, x, mean, var);

        public void RunForward(IlgpuAccelerator device, in Shape s, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> var, ArrayView<float> gamma, ArrayView<float> beta, ArrayView<float> y)
            => _forward(device.Stream, PerElement(device, "batchnorm.forward", s), s, x, mean, var, gamma, beta, y);

        public void RunBackward(IlgpuAccelerator device, in Shape s, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> mean, ArrayView<float> var,
            ArrayView<float> gamma, ArrayView<float> dx, ArrayView<float> dgamma, ArrayView<float> dbeta)
        {
            _backwardReduce(device.Stream, PerChannel(device, "batchnorm.backward_reduce", s), s, x, dy, mean, var, dgamma, dbeta);
            _backwardDx(device.Stream, PerElement(device, "batchnorm.backward_dx", s), s, x, dy, mean, var, gamma, dgamma, dbeta, dx);
        }
    }
}
