namespace EcgGpu.Nn.Parallel;

/// <summary>
/// The collective operations data-parallel training needs, over a fixed group of ranks that all call them in the
/// same order (MPI semantics). <c>EcgGpu.Distributed</c> implements them over MPI; tests implement them with threads.
/// </summary>
public interface ICollectives
{
    /// <summary>This process's index in the group, 0 … <see cref="Size"/> − 1; rank 0 is the root.</summary>
    int Rank { get; }

    int Size { get; }

    /// <summary>Replaces <paramref name="values"/> on every rank by their element-wise sum over all ranks.</summary>
    void AllreduceSum(Span<float> values);

    /// <summary>Replaces <paramref name="values"/> on every rank by those of <paramref name="root"/>.</summary>
    void Broadcast(Span<float> values, int root);

    /// <summary>What the job is doing, for the message when a rank stops answering (for example "epoch 2, step 14, gradient Allreduce").</summary>
    string Phase { set { } }
}
