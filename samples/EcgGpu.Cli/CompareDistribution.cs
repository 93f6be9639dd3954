namespace EcgGpu.Cli;

/// <summary>
/// How <c>ecg compare --distributed</c> uses its ranks. With at least as many models as ranks, a sweep: each rank
/// trains whole models (every rank busy, no gradient exchange, each model's result exactly one process's). With
/// fewer models than ranks, a sweep would leave ranks idle, so each model is trained data-parallel over all ranks,
/// one after another.
/// </summary>
internal sealed record CompareDistribution(bool Sweep, int[] Owner, string Why)
{
    public static CompareDistribution Choose(IReadOnlyList<string> models, int ranks)
    {
        if (models.Count >= ranks)
        {
            // Round-robin in the order given: the slowest models (recurrent ones) are spread when listed together.
            var owner = Enumerable.Range(0, models.Count).Select(i => i % ranks).ToArray();
            var assignment = string.Join(", ", Enumerable.Range(0, ranks).Select(r => $"rank {r}: {string.Join("+", models.Where((_, i) => owner[i] == r))}"));
            return new(true, owner, $"compare: {models.Count} models on {ranks} ranks: sweep, each rank trains whole models ({assignment}); "
                + "no per-step gradient exchange, and each result is exactly a one-process run");
        }
        return new(false, new int[models.Count], $"compare: {models.Count} model(s) on {ranks} ranks: a sweep would leave {ranks - models.Count} rank(s) idle, "
            + "so each model trains data-parallel over all ranks (global batch split, gradients summed with MPI_Allreduce)");
    }
}
