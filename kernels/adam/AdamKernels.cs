using EcgGpu.Runtime.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace EcgGpu.Kernels;

/// <summary>
/// ILGPU device code for the fused Adam / AdamW step: moments and parameter updated in one pass.
/// </summary>
/// <remarks>
/// Element-wise over n parameters in a grid-stride loop (groups of <see cref="Threads"/>, grid capped at
/// 65,535 groups), so neighbouring threads touch neighbouring elements and any n launches. Bias correction as
/// torch.optim.Adam (ε added to √v̂); bc1 = 1 − β1^t and bc2 = 1 − β2^t come from the host (in double).
/// </remarks>
public static class AdamKernels
{
    public const int Threads = 256;

    /// <summary>Length and hyper-parameters of one step.</summary>
    public struct Args
    {
        public int N;
        public float LearningRate, Beta1, Beta2, Epsilon, Bc1, Bc2, WeightDecay;
        /// <summary>With weight decay: 0 adds wd·p to the gradient (Adam / L2), 1 shrinks p by lr·wd·p (AdamW).</summary>
        public int Decoupled;
    }

    public static void Step(Args a, ArrayView<float> p, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v)
    {
        for (long i = Grid.GlobalIndex.X; i < a.N; i += (long)Grid.DimX * Group.DimX) // long: no overflow near int.MaxValue
        {
            float pi = p[i], gi = g[i];
            if (a.WeightDecay != 0f && a.Decoupled == 0) gi += a.WeightDecay * pi;
            float mi = a.Beta1 * m[i] + (1f - a.Beta1) * gi;
            float vi = a.Beta2 * v[i] + (1f - a.Beta2) * gi * gi;
            m[i] = mi;
            v[i] = vi;
            if (a.WeightDecay != 0f && a.Decoupled != 0) pi -= a.LearningRate * a.WeightDecay * pi;
            p[i] = pi - a.LearningRate * (mi / a.Bc1) / (MathF.Sqrt(vi / a.Bc2) + a.Epsilon);
        }
    }

    /// <summary>The family's kernels loaded on one accelerator.</summary>
    public sealed class Loaded : IKernelFamily<Loaded>
    {
        private Action<AcceleratorStream, KernelConfig, Args, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> _step = null!;

        public static Loaded Load(IlgpuAccelerator accelerator) => new()
        {
            _step = accelerator.Native.LoadKernel<Args, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Step),
        };

        public void Run(IlgpuAccelerator device, in Args a, ArrayView<float> p, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v)
            => _step(device.Stream, device.Config("adam.step", new Index3D(GridSize.WaveGroups(device, GridSize.Groups(a.N, Threads), Threads), 1, 1), new Index3D(Threads, 1, 1)), a, p, g, m, v);
    }
}
