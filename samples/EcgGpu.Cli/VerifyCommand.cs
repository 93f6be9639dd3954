using EcgGpu.Kernels;
using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using EcgGpu.Runtime;

namespace EcgGpu.Cli;

/// <summary><c>ecg verify</c>: every kernel family on the chosen backends against the plain C# reference.</summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var backend = new Option<string>("--backend") { Description = "cpu (managed SIMD), ilgpu-cpu (the ILGPU kernels on ILGPU's CPU accelerator), opencl, cuda, or all (every device of every available backend).", DefaultValueFactory = _ => "all" };
        backend.AcceptOnlyFromAmong("cpu", "ilgpu-cpu", "opencl", "cuda", "all");
        var device = new Option<int?>("--device") { Description = "Device index within the backend (default: every device of it)." };
        var family = new Option<string[]>("--family") { Description = $"Only these kernel families ({string.Join(", ", KernelChecks.Families)}).", AllowMultipleArgumentsPerToken = true };
        var json = new Option<bool>("--json") { Description = "Print results as JSON instead of a table." };
        var command = new Command("verify", "Run every kernel family on the chosen backends against the plain double-precision C# reference on several shapes; exits 1 on any failure.")
        {
            backend, device, family, json,
        };
        command.SetAction(result => Run(result.GetValue(backend)!, result.GetValue(device), result.GetValue(family), result.GetValue(json)));
        return command;
    }

    private static int Run(string backend, int? deviceIndex, string[]? families, bool json)
    {
        var context = Context.Create();
        List<DeviceInfo> devices;
        try
        {
            devices = Select(context, backend, deviceIndex);
        }
        catch (Exception e) when (e is BackendUnavailableException or ArgumentOutOfRangeException)
        {
            Console.Error.WriteLine($"ecg verify: {e.Message}");
            return 2;
        }
        var selected = families is { Length: > 0 } ? families : KernelChecks.Families.ToArray();
        var unknown = selected.Where(f => !KernelChecks.Families.Contains(f)).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"ecg verify: unknown --family {string.Join(", ", unknown)}; known: {string.Join(", ", KernelChecks.Families)}");
            return 2;
        }

        var all = new List<(DeviceInfo Device, CheckResult Result)>();
        var errors = new List<(DeviceInfo Device, string Family, string Error)>();
        foreach (var d in devices)
        {
            if (!json) Console.WriteLine($"== [{d.Index}] {d.Kind.ToCliName()}:{d.KindIndex} {d.Name}");
            using var acc = d.CreateAccelerator();
            foreach (var f in selected)
            {
                var sw = Stopwatch.StartNew();
                try
                {
                    foreach (var r in KernelChecks.Run(acc, f))
                    {
                        all.Add((d, r));
                        if (!json) Console.WriteLine("  " + r);
                    }
                }
                catch (Exception e) when (e is Runtime.Ilgpu.KernelLoadException or Runtime.Ilgpu.DeviceOperationException or NotSupportedException or InvalidOperationException or ArgumentException)
                {
                    errors.Add((d, f, e.Message));
                    if (!json) Console.WriteLine($"  {f,-12} ERROR {e.Message}");
                }
                if (!json) Console.WriteLine($"  {f,-12} ({sw.Elapsed.TotalSeconds:F2} s)");
            }
        }
        int failed = all.Count(r => !r.Result.Passed) + errors.Count;
        if (json) WriteJson(all, errors);
        else Console.WriteLine($"verify: {all.Count(r => r.Result.Passed)} passed, {failed} failed on {devices.Count} device(s)");
        return failed == 0 ? 0 : 1;
    }

    private static List<DeviceInfo> Select(Context context, string backend, int? index)
    {
        if (backend == "all")
        {
            if (index is not null) throw new ArgumentOutOfRangeException(nameof(index), "--device needs --backend cpu|ilgpu-cpu|opencl|cuda");
            return context.Devices.ToList();
        }
        AcceleratorKindNames.TryParse(backend, out var kind);
        if (index is not null) return [context.Select(kind, index)];
        context.Select(kind); // throws with the reason when the backend has no device
        return context.OfKind(kind).ToList();
    }

    private static void WriteJson(List<(DeviceInfo Device, CheckResult Result)> all, List<(DeviceInfo Device, string Family, string Error)> errors)
    {
        using var stream = Console.OpenStandardOutput();
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteNumber("passed", all.Count(r => r.Result.Passed));
        w.WriteNumber("failed", all.Count(r => !r.Result.Passed) + errors.Count);
        w.WriteStartArray("results");
        foreach (var (d, r) in all)
        {
            w.WriteStartObject();
            w.WriteNumber("device", d.Index);
            w.WriteString("kind", d.Kind.ToCliName());
            w.WriteString("family", r.Family);
            w.WriteString("case", r.Case);
            w.WriteString("output", r.Output);
            w.WriteNumber("count", r.Count);
            WriteNumber(w, "maxAbsError", r.MaxAbsError);
            WriteNumber(w, "maxRelError", r.MaxRelError);
            w.WriteBoolean("passed", r.Passed);
            if (!r.Passed) w.WriteString("firstMismatch", r.FirstMismatch);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("errors");
        foreach (var (d, f, e) in errors)
        {
            w.WriteStartObject();
            w.WriteNumber("device", d.Index);
            w.WriteString("family", f);
            w.WriteString("error", e);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        stream.WriteByte((byte)'\n');
    }

    private static void WriteNumber(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value);
        else w.WriteString(name, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
