using EcgGpu.Runtime;

namespace EcgGpu.Distributed;

/// <summary>
/// Which device a rank trains on. An explicit backend or device index wins (the same for every rank, or per rank
/// through mpirun's MPMD syntax); otherwise the rank takes the GPU at its local rank, round-robin over the node's
/// GPUs (CUDA first, then OpenCL GPUs, as <see cref="Context.Default"/> orders them), or the CPU backend when the
/// node has none.
/// </summary>
public static class RankDevice
{
    public static (DeviceInfo Device, string Why) Choose(Context context, int localRank, AcceleratorKind? backend, int? index)
    {
        if (backend is not null || index is not null)
            return (context.Select(backend, index), backend is null ? $"--device {index}" : $"--backend {backend.Value.ToCliName()}{(index is null ? "" : $" --device {index}")}");
        var gpus = context.OfKind(AcceleratorKind.Cuda).Concat(context.OfKind(AcceleratorKind.OpenCL).Where(d => d.IsGpu)).ToList();
        if (gpus.Count == 0) return (context.Select(AcceleratorKind.Cpu), $"local rank {localRank}, no GPU on this node");
        return (gpus[localRank % gpus.Count], $"local rank {localRank} of the node's {gpus.Count} GPU(s)");
    }
}
