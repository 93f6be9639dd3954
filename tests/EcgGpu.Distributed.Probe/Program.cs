using System.Globalization;
using EcgGpu.Distributed;
using EcgGpu.Distributed.Probe;

// probe collectives                       : checks Allreduce, Bcast and Barrier across the job; exit 0 when right
// probe train MODEL ROWS BATCH EPOCHS OUT [SHARES|even] [balance]
//                                         : a few data-parallel steps; rank 0 writes the weights (raw float32) to OUT
// Without mpirun (or without an MPI library) it runs as one process and says why.
using var mpi = MpiCommunicator.TryInitialize(out var reason);
if (mpi is null) Console.Error.WriteLine($"probe: single process: {reason}");
int rank = mpi?.Rank ?? 0, size = mpi?.Size ?? 1;
switch (args.FirstOrDefault())
{
    case "collectives":
    {
        if (mpi is null) return 0;
        var values = Enumerable.Range(0, 1000).Select(i => (float)(rank + 1) * i).ToArray();
        mpi.AllreduceSum(values);
        float factor = size * (size + 1) / 2f;
        bool sumOk = values.Select((v, i) => v == factor * i).All(b => b);
        double[] wide = [rank + 0.5];
        mpi.AllreduceSum(wide);
        mpi.AllreduceMax(wide.AsSpan());
        var broadcast = rank == size - 1 ? new float[] { 3f, 1f, 4f } : new float[3];
        mpi.Broadcast(broadcast, root: size - 1);
        bool bcastOk = broadcast.SequenceEqual([3f, 1f, 4f]);
        mpi.Barrier();
        Console.WriteLine($"rank {rank} of {size} on {mpi.ProcessorName}: allreduce {(sumOk ? "ok" : "WRONG")}, bcast {(bcastOk ? "ok" : "WRONG")}, library {mpi.LibraryPath}");
        return sumOk && bcastOk ? 0 : 1;
    }
    case "train" when args.Length >= 6:
    {
        var shares = args.Length > 6 && args[6] != "even" ? args[6].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray() : null;
        var settings = new ProbeTraining.Settings(args[1], int.Parse(args[2]), int.Parse(args[3]), int.Parse(args[4]))
        {
            Shares = shares,
            Balance = args.Length > 7 && args[7] == "balance",
        };
        var weights = ProbeTraining.Train(settings, mpi, out var parallel);
        if (parallel is not null)
            foreach (var f in parallel.Overall.Where(f => f.Rank == rank))
                Console.WriteLine($"rank {rank}: {f.ShardRows:F1} rows/step, compute {f.ComputeSeconds * 1e3:F2} ms, staging {f.StagingSeconds * 1e3:F2} ms, allreduce {f.AllreduceSeconds * 1e3:F2} ms, step {f.StepSeconds * 1e3:F2} ms");
        if (rank == 0)
        {
            var bytes = new byte[weights.Length * sizeof(float)];
            Buffer.BlockCopy(weights, 0, bytes, 0, bytes.Length);
            File.WriteAllBytes(args[5] + ".tmp", bytes);
            File.Move(args[5] + ".tmp", args[5], overwrite: true);
        }
        return 0;
    }
    case "allreduce":
    {
        // Mean seconds of an in-place float Allreduce per size, for the latency/bandwidth fit of the scaling model.
        if (mpi is null) return 0;
        foreach (var count in new[] { 1, 1_024, 16_384, 131_072, 1_048_576, 4_194_304 })
        {
            var buffer = new float[count];
            int reps = count >= 1_048_576 ? 20 : 200;
            for (int i = 0; i < 5; i++) mpi.AllreduceSum(buffer);
            mpi.Barrier();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < reps; i++) mpi.AllreduceSum(buffer);
            double seconds = clock.Elapsed.TotalSeconds / reps;
            if (rank == 0) Console.WriteLine(FormattableString.Invariant($"allreduce ranks={size} floats={count} bytes={count * 4} us={seconds * 1e6:F1} GBps={count * 4 / seconds / 1e9:F3}"));
        }
        return 0;
    }
    case "params":
        foreach (var name in EcgGpu.Nn.Zoo.Names)
        {
            using var acc = EcgGpu.Runtime.Context.Create().Select(EcgGpu.Runtime.AcceleratorKind.Cpu).CreateAccelerator();
            using var model = EcgGpu.Nn.Zoo.Create(name).Compile(acc, batchSize: 1);
            Console.WriteLine($"{name} params={model.ParameterCount} gradient_bytes={model.ParameterCount * 4}");
        }
        return 0;
    default:
        Console.Error.WriteLine("usage: probe collectives | probe allreduce | probe params | probe train MODEL ROWS BATCH EPOCHS OUT [SHARES|even] [balance]");
        return 2;
}
