using System.CommandLine;
using EcgGpu.Data;
using EcgGpu.Evaluation;
using EcgGpu.Nn;
using EcgGpu.Runtime;
using Spectre.Console;

namespace EcgGpu.Cli;

/// <summary>Options, device choice, data loading and error reporting shared by the workflow commands.</summary>
internal static class CliCommon
{
    public static Option<string> Backend() => new Option<string>("--backend")
    {
        Description = "cpu (managed SIMD on the host), ilgpu-cpu (ILGPU's kernels on CPU threads emulating a GPU: for checking, slow), "
            + "opencl or cuda (ILGPU's kernels on a GPU); default: the best present (CUDA GPU, else OpenCL GPU, else cpu).",
        DefaultValueFactory = _ => "auto",
    }.AcceptOnly("auto", "cpu", "ilgpu-cpu", "opencl", "cuda");

    public static Option<int?> Device() => new("--device") { Description = "Device index within the backend (see `ecg devices`)." };
    public static Option<string?> Data() => new("--data") { Description = "Folder with mitbih_train.csv[.gz] and mitbih_test.csv[.gz] (Kaggle format)." };
    public static Option<string?> Mitdb() => new("--mitdb") { Description = "Folder of raw MIT-BIH records; beats are extracted once and cached (~/.cache/ecggpu/beats)." };
    public static Option<string> Split() => new Option<string>("--split")
    {
        Description = "With --mitdb: kaggle (random 80/20 stratified by class) or inter-patient (DS1 train, DS2 test).",
        DefaultValueFactory = _ => "kaggle",
    }.AcceptOnly("kaggle", "inter-patient");
    public static Option<int> Seed() => new("--seed") { Description = "Seed for splits, initial weights, shuffling and dropout.", DefaultValueFactory = _ => 1 };
    public static Option<string> Out(bool required = true) => new("--out") { Description = "Output folder.", Required = required };

    private static Option<string> AcceptOnly(this Option<string> option, params string[] values)
    {
        option.AcceptOnlyFromAmong(values);
        return option;
    }

    public static Accelerator OpenAccelerator(string backend, int? device)
    {
        var context = Context.Create();
        if (backend == "auto") return context.Select(null, device).CreateAccelerator();
        AcceleratorKindNames.TryParse(backend, out var kind);
        return context.Select(kind, device).CreateAccelerator();
    }

    public static SplitKind ParseSplit(string split) => split == "inter-patient" ? SplitKind.InterPatient : SplitKind.Kaggle;

    /// <summary>Train and test beats from --data, --mitdb, or the synthetic generator; with a description for reports.</summary>
    public static LoadedBeats LoadData(string? data, string? mitdb, string split, int seed)
    {
        if (data is not null && mitdb is not null) throw new ArgumentException("give --data or --mitdb, not both");
        var source = BeatSource.Choose(data, mitdb, ParseSplit(split), seed);
        string prefix = source is SyntheticSource ? "no --data or --mitdb: " : "";
        return source.Load(new SyncProgress<string>(m => Status(prefix + m)));
    }

    /// <summary>The flag of each library setting, to name it in errors as the user wrote it.</summary>
    private static readonly Dictionary<string, string> Flags = new()
    {
        ["KaggleFolderSource.Folder"] = "--data", ["MitdbSource.Folder"] = "--mitdb",
        ["ExperimentOptions.Epochs"] = "--epochs", ["ExperimentOptions.BatchSize"] = "--batch", ["ExperimentOptions.LearningRate"] = "--lr",
        ["ExperimentOptions.Patience"] = "--patience", ["ExperimentOptions.Features"] = "--features", ["ExperimentOptions.Resume"] = "--resume",
    };

    public static void Status(string message) => Console.Error.WriteLine(message);

    /// <summary>Runs a command body; known failures become one clear line on stderr and exit code 2 (1 for a diverged training).</summary>
    public static int Guard(Func<int> body)
    {
        try { return body(); }
        catch (TrainingDivergedException e) { return Fail(e.Message, 1); }
        catch (InvalidSettingException e)
        {
            var flag = Flags.GetValueOrDefault(e.Setting, e.Setting);
            return Fail(e.Value is null ? $"{flag}: {e.Reason}" : $"{flag} {e.Value}: {e.Reason}", 2);
        }
        catch (Exception e) when (e is DataFormatException or FileNotFoundException or DirectoryNotFoundException or ArgumentException
                                      or WeightFileException or InvalidDataException or BackendUnavailableException or IOException or UnauthorizedAccessException)
        {
            return Fail(e.Message, 2);
        }
    }

    public static int Fail(string message, int code = 2)
    {
        Console.Error.WriteLine($"ecg: error: {message}");
        return code;
    }

    /// <summary>An epoch-and-step progress line on stderr: a bar, the running loss, and the last epoch's figures.</summary>
    public sealed class ProgressLine(string model, int epochs)
    {
        private readonly bool _interactive = !Console.IsErrorRedirected;
        private DateTime _last = DateTime.MinValue;

        public IProgress<StepProgress> Steps => new SyncProgress<StepProgress>(s =>
        {
            if (!_interactive || (DateTime.UtcNow - _last).TotalMilliseconds < 100 && s.Rows < s.TotalRows) return;
            _last = DateTime.UtcNow;
            int width = 30, filled = (int)((long)width * s.Rows / s.TotalRows);
            Console.Error.Write($"\r{model} epoch {s.Epoch}/{epochs} [{new string('#', filled)}{new string('.', width - filled)}] {s.Rows}/{s.TotalRows} loss {s.Loss:F4}   ");
        });

        public IProgress<EpochLog> Epochs => new SyncProgress<EpochLog>(e =>
        {
            if (_interactive) Console.Error.Write('\r');
            Console.Error.WriteLine($"{model} epoch {e.Epoch}/{epochs}: loss {e.Loss:F4} acc {e.Accuracy:F4} val_loss {e.ValLoss:F4} val_acc {e.ValAccuracy:F4} lr {e.LearningRate:G3} ({e.Seconds:F1} s)          ");
        });
    }

    /// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool and can reorder lines).</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    public static void PrintMetrics(ModelResult r)
    {
        var m = r.Metrics;
        var table = new Table().Title($"{r.Model} on {r.Backend}: accuracy {m.Accuracy:F4}, macro-F1 {m.Macro.F1:F4}, ROC-AUC {m.RocAucMacro:F4}");
        foreach (var h in new[] { "class", "precision (+P)", "recall (Se)", "F1", "ROC-AUC", "support" }) table.AddColumn(new TableColumn(h).RightAligned());
        foreach (var c in m.PerClass)
            table.AddRow(c.Name, c.Precision.ToString("F4"), c.Recall.ToString("F4"), c.F1.ToString("F4"), double.IsFinite(c.RocAuc) ? c.RocAuc.ToString("F4") : "n/a", c.Support.ToString());
        AnsiConsole.Write(table);
    }

    public static void PrintComparison(IReadOnlyList<ModelResult> results)
    {
        var table = new Table().Title("comparison");
        foreach (var h in new[] { "model", "backend", "accuracy", "macro-F1", "ROC-AUC", "params", "epochs", "train s" }) table.AddColumn(new TableColumn(h).RightAligned());
        foreach (var r in results)
            table.AddRow(r.Model, r.Backend, r.Metrics.Accuracy.ToString("F4"), r.Metrics.Macro.F1.ToString("F4"), r.Metrics.RocAucMacro.ToString("F4"),
                r.Params.ToString("N0"), r.EpochsRun.ToString(), r.TrainSeconds.ToString("F1"));
        AnsiConsole.Write(table);
    }
}
