namespace EcgGpu.Distributed;

/// <summary>
/// What the launcher tells a process through its environment, readable without initialising MPI: whether
/// mpirun (or srun) started it, its rank, the number of ranks and its rank among those on its node.
/// </summary>
public static class MpiEnvironment
{
    /// <summary>True when Open MPI's mpirun, a PMIx launcher or Slurm started this process as one rank of a job.</summary>
    public static bool LaunchedAsRank => WorldSize is not null;

    public static int? WorldRank => Read("OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID");

    public static int? WorldSize => Read("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_NTASKS");

    /// <summary>The rank among this node's ranks: the index of the GPU a rank takes by default.</summary>
    public static int? LocalRank => Read("OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID");

    private static int? Read(params string[] names)
    {
        foreach (var name in names)
            if (int.TryParse(Environment.GetEnvironmentVariable(name), out var value)) return value;
        return null;
    }
}
