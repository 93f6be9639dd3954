using EcgGpu.Nn;
using EcgGpu.Nn.Parallel;
using EcgGpu.Runtime;

namespace EcgGpu.Distributed.Probe;

/// <summary>
/// A few training steps of a zoo model on generated rows, the same in a test process and in every rank of an
/// mpirun job, so that one process's weights can be compared with a data-parallel job's.
/// </summary>
public static class ProbeTraining
{
    public sealed record Settings(string Model, int Rows = 96, int Batch = 32, int Epochs = 1, int Seed = 7)
    {
        /// <summary>Added to the seed of ranks other than 0, so that only the broadcast can make their weights rank 0's.</summary>
        public int OtherRanksSeedOffset { get; init; } = 1000;
        public double[]? Shares { get; init; }
        public bool Balance { get; init; }
        public float LearningRate { get; init; } = 1e-3f;

        /// <summary>Seconds a rank's device takes per shard row, in place of measured time (deterministic balancing); null measures.</summary>
        public double? SecondsPerRow { get; init; }
    }

    /// <summary>Generated rows: a class-dependent bump on noise, so the loss has something to learn.</summary>
    public static LabeledRows Data(string model, int rows, int seed)
    {
        int width = Zoo.InputLength(model);
        var rng = new Random(seed);
        var x = new float[rows * width];
        var y = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            y[r] = rng.Next(EcgGpu.Data.BeatFormat.Classes);
            for (int i = 0; i < width; i++)
                x[r * width + i] = (float)(rng.NextDouble() - 0.5 + (i % EcgGpu.Data.BeatFormat.Classes == y[r] ? 0.8 : 0));
        }
        return new LabeledRows(x, y, width);
    }

    /// <summary>Trains on the CPU backend, as one process (<paramref name="group"/> null) or as one rank; returns every weight in layer order.</summary>
    public static float[] Train(Settings s, ICollectives? group, out DataParallel? parallel)
    {
        using var accelerator = Context.Create().Select(AcceleratorKind.Cpu).CreateAccelerator();
        int seed = group is null || group.Rank == 0 ? s.Seed : s.Seed + s.OtherRanksSeedOffset;
        using var model = Zoo.Create(s.Model).Compile(accelerator, new AdamOptimizer(s.LearningRate), s.Batch, seed);
        parallel = group is null ? null : new DataParallel(group)
        {
            Balance = s.Balance,
            WindowSteps = 2,
            ComputeSecondsModel = s.SecondsPerRow is double perRow ? rows => rows * perRow : null,
            Plan = s.Shares is null ? ShardPlan.Even(group.Size) : new ShardPlan(s.Shares),
        };
        // Shuffling follows the data seed, which every rank shares (not the per-rank compile seed).
        model.Fit(Data(s.Model, s.Rows, s.Seed), options: new FitOptions(s.Epochs, Seed: s.Seed) { DataParallel = parallel });
        return model.Parameters.SelectMany(p => p.Value.ToArray()).ToArray();
    }

    /// <summary>Largest absolute difference of two weight vectors.</summary>
    public static double MaxDifference(float[] a, float[] b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"{a.Length} weights against {b.Length}");
        double worst = 0;
        for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs((double)a[i] - b[i]));
        return worst;
    }
}
