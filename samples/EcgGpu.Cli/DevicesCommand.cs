using System.CommandLine;
using System.Text.Json;
using EcgGpu.Distributed;
using EcgGpu.Runtime;

namespace EcgGpu.Cli;

/// <summary><c>ecg devices</c>: every device of every backend, and why a backend has none.</summary>
internal static class DevicesCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array of {index, kind, name, vendor, memoryBytes, computeUnits, ...}; unusable devices carry usable: false and a reason." };
        var command = new Command("devices", "List every device: the managed CPU backend (cpu), ILGPU's CPU accelerator (ilgpu-cpu), every CUDA GPU and every OpenCL device ILGPU can drive; devices it cannot drive are named with the reason.") { json };
        command.SetAction(result =>
        {
            var context = Context.Create();
            // Under mpirun every rank says which device `--distributed` would give it; rank 0 also lists them all.
            if (MpiEnvironment.WorldRank is { } rank)
            {
                var (chosen, why) = RankDevice.Choose(context, MpiEnvironment.LocalRank ?? rank, null, null);
                Console.Error.WriteLine($"rank {rank}/{MpiEnvironment.WorldSize} on {Environment.MachineName}: {chosen.Kind.ToCliName()}:{chosen.KindIndex} {chosen.Name} ({why})");
                if (rank != 0) return 0;
            }
            if (result.GetValue(json)) WriteJson(context, Console.OpenStandardOutput());
            else WriteTable(context, Console.Out);
            return 0;
        });
        return command;
    }

    internal static void WriteTable(Context context, TextWriter output)
    {
        output.WriteLine($"{"#",-3} {"backend",-11} {"name",-52} {"vendor",-22} {"memory",10} {"units",6}");
        foreach (var d in context.Devices)
            output.WriteLine($"{d.Index,-3} {d.Kind.ToCliName() + ":" + d.KindIndex,-11} {Clip(d.Name, 52),-52} {Clip(d.Vendor, 22),-22} {FormatBytes(d.MemoryBytes),10} {d.ComputeUnits,6}");
        foreach (var u in context.Unusable)
            output.WriteLine($"-   {u.Kind.ToCliName(),-11} {Clip(u.Name, 52),-52} {Clip(u.Vendor, 22),-22} not usable: {u.Reason}");
        var preferred = context.Default;
        output.WriteLine($"default: [{preferred.Index}] {preferred.Kind.ToCliName()} {preferred.Name}");
        foreach (var (kind, reason) in context.Unavailable)
            output.WriteLine($"{kind.ToCliName()}: not available: {reason}");
    }

    internal static void WriteJson(Context context, Stream stream)
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartArray();
        foreach (var d in context.Devices)
        {
            writer.WriteStartObject();
            writer.WriteNumber("index", d.Index);
            writer.WriteString("kind", d.Kind.ToCliName());
            writer.WriteNumber("kindIndex", d.KindIndex);
            writer.WriteString("name", d.Name);
            writer.WriteString("vendor", d.Vendor);
            writer.WriteNumber("memoryBytes", d.MemoryBytes);
            writer.WriteNumber("computeUnits", d.ComputeUnits);
            writer.WriteString("driver", d.DriverVersion);
            writer.WriteBoolean("isGpu", d.IsGpu);
            writer.WriteBoolean("usable", true);
            writer.WriteEndObject();
        }
        foreach (var u in context.Unusable)
        {
            writer.WriteStartObject();
            writer.WriteString("kind", u.Kind.ToCliName());
            writer.WriteString("name", u.Name);
            writer.WriteString("vendor", u.Vendor);
            writer.WriteBoolean("usable", false);
            writer.WriteString("reason", u.Reason);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.Flush();
        stream.WriteByte((byte)'\n');
        stream.Flush();
    }

    private static string Clip(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";

    internal static string FormatBytes(long bytes) => bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):F1} GiB" : $"{bytes / (double)(1L << 20):F0} MiB";
}
