using System.Text.Json;
using EcgGpu.Nn.Parallel;

namespace EcgGpu.Evaluation;

/// <summary>The "data_parallel" block of metrics.json: each rank's device, mean shard, and mean step split into compute, staging and Allreduce.</summary>
public static class DataParallelReport
{
    public static void Write(Utf8JsonWriter w, DataParallel parallel)
    {
        w.WriteStartObject("data_parallel");
        w.WriteNumber("ranks", parallel.Collectives.Size);
        w.WriteString("gradient_exchange", "host-staged MPI_Allreduce (float sum, in place)");
        w.WriteNumber("rebalances", parallel.Rebalances);
        w.WriteStartArray("final_shares");
        foreach (var s in parallel.Plan.Shares) w.WriteNumberValue(Math.Round(s, 4));
        w.WriteEndArray();
        w.WriteStartArray("per_rank");
        foreach (var f in parallel.Overall)
        {
            w.WriteStartObject();
            w.WriteNumber("rank", f.Rank);
            w.WriteString("device", parallel.RankDevices.Count > f.Rank ? parallel.RankDevices[f.Rank] : "");
            w.WriteNumber("mean_shard_rows", Math.Round(f.ShardRows, 2));
            w.WriteNumber("rows_per_second", Math.Round(f.RowsPerSecond, 1));
            w.WriteNumber("step_ms", Math.Round(f.StepSeconds * 1e3, 3));
            w.WriteNumber("compute_ms", Math.Round(f.ComputeSeconds * 1e3, 3));
            w.WriteNumber("staging_ms", Math.Round(f.StagingSeconds * 1e3, 3));
            w.WriteNumber("allreduce_ms", Math.Round(f.AllreduceSeconds * 1e3, 3));
            w.WriteNumber("exchange_share", Math.Round(f.ExchangeShare, 4));
            w.WriteNumber("measured_steps", f.Steps);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
