using System.Globalization;
using System.CommandLine;
using EcgGpu.Data;
using EcgGpu.Evaluation;
using EcgGpu.Nn;
using EcgGpu.Runtime;
using Microsoft.Data.Analysis;

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
    public static Option<string?> Data() => new("--data")
    {
        Description = "Folder with mitbih_train.csv[.gz] and mitbih_test.csv[.gz] (Kaggle format, with _rr.csv beside them when there are), "
            + "or 'synthetic' for generated beats; default: the MIT-BIH sample shipped with ecg (2,500 train and 1,500 test beats with RR features).",
    };
    public static Option<string?> Mitdb() => new("--mitdb") { Description = "Folder of raw MIT-BIH records; beats are extracted once and cached (~/.cache/ecggpu/beats)." };
    public static Option<string> Split() => new Option<string>("--split")
    {
        Description = "With --mitdb: kaggle (random 80/20 stratified by class) or inter-patient (DS1 train, DS2 test).",
        DefaultValueFactory = _ => "kaggle",
    }.AcceptOnly("kaggle", "inter-patient");
    public static Option<string> Balance()
    {
        var option = new Option<string>("--balance")
        {
            Description = "Class imbalance: none, weights (loss weighted n/(classes x count), as scikit-learn's balanced) or oversample (minority classes copied to the majority's size, amplitude-scaled and time-stretched).",
            DefaultValueFactory = _ => "none",
        };
        option.AcceptOnlyFromAmong("none", "weights", "oversample");
        return option;
    }

    public static Option<string> Validation()
    {
        var option = new Option<string>("--validation")
        {
            Description = "Beats set aside for early stopping: auto (whole records when the test is of other patients, as in --split inter-patient; else stratified), stratified (10 % of the beats at random, per class) or records (whole records, about 20 % of the beats, none of them trained on).",
            DefaultValueFactory = _ => "auto",
        };
        option.AcceptOnlyFromAmong("auto", "stratified", "records");
        return option;
    }

    public static Option<int> StartFromEpoch() => new("--start-from-epoch")
    {
        Description = "Epochs at the start that early stopping and learning-rate reduction do not watch (Keras's start_from_epoch): for recurrent models that sit at the majority class for a few epochs before they learn.",
        DefaultValueFactory = _ => 0,
    };

    public static Option<int?> LrPatience() => new("--lr-patience")
    {
        Description = "Epochs without a better val_loss before the learning rate is halved (default: one fewer than --patience, which with a long patience halves it only an epoch before training stops).",
    };

    public static Option<int?> Batch() => new("--batch") { Description = $"Batch size (default: the model's, {RecipeDefaults(r => r.BatchSize)})." };

    /// <summary>A recipe setting of the zoo's models, said once for those that share it: "64; cnn-gap 32".</summary>
    public static string RecipeDefaults<T>(Func<Zoo.TrainingRecipe, T> setting)
    {
        var byValue = Zoo.AllNames.GroupBy(n => setting(Zoo.Recipe(n))).OrderByDescending(g => g.Count()).ToList();
        static string Say(T v) => Convert.ToString(v, CultureInfo.InvariantCulture)!;
        return string.Join("; ", byValue.Select((g, i) => i == 0 ? Say(g.Key) : $"{string.Join(", ", g)} {Say(g.Key)}"));
    }

    public static Option<float?> LearningRate() => new("--lr") { Description = $"Adam learning rate (default: the model's, {RecipeDefaults(r => r.LearningRate)})." };

    public static Option<float?> ClipNorm() => new("--clip-norm")
    {
        Description = $"Scale the gradients to this global L2 norm at most before each step (Keras's global_clipnorm; 0 for none; default: the model's, {RecipeDefaults(r => r.ClipNorm is float c ? c.ToString(CultureInfo.InvariantCulture) : "none")}).",
    };

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
        AcceleratorKind? kind = backend == "auto" ? null : AcceleratorKindNames.TryParse(backend, out var k) ? k : null;
        DeviceInfo selected;
        try { selected = context.Select(kind, device); }
        catch (ArgumentOutOfRangeException e) when (e.ParamName == "index") { throw new ArgumentException($"--device {device}: {Bare(e)}"); }
        return selected.CreateAccelerator();
    }

    /// <summary>An argument exception's message without .NET's " (Parameter 'name')" suffix.</summary>
    public static string Bare(Exception e)
        => e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "") : e.Message;

    public static SplitKind ParseSplit(string split) => split == "inter-patient" ? SplitKind.InterPatient : SplitKind.Kaggle;

    /// <summary>
    /// Train and test beats as row-major <see cref="BeatSet"/>s for the device: <see cref="LoadFrames"/>, then the one
    /// conversion per data set from the frame, timed on stderr.
    /// </summary>
    public static LoadedBeats LoadData(string? data, string? mitdb, string split, int seed)
        => LoadFrames(data, mitdb, split, seed).ToBeats(new SyncProgress<string>(Status));

    /// <summary>
    /// Train and test beats as frames (<see cref="BeatFrame"/>): from --data DIR (Kaggle files), --data synthetic,
    /// --mitdb (raw records), or by default the MIT-BIH sample shipped with ecg; with a description for reports.
    /// </summary>
    public static LoadedFrames LoadFrames(string? data, string? mitdb, string split, int seed)
    {
        var source = BeatSource.Choose(data, mitdb, ParseSplit(split), seed);
        string prefix = source is SyntheticSource && data is null ? "no --data or --mitdb and no MIT-BIH sample beside ecg: " : "";
        return source.LoadFrames(new SyncProgress<string>(m => Status(prefix + m)));
    }

    /// <summary>The flag of each library setting, to name it in errors as the user wrote it.</summary>
    private static readonly Dictionary<string, string> Flags = new()
    {
        ["KaggleFolderSource.Folder"] = "--data", ["MitdbSource.Folder"] = "--mitdb",
        ["ExperimentOptions.Epochs"] = "--epochs", ["ExperimentOptions.BatchSize"] = "--batch", ["ExperimentOptions.LearningRate"] = "--lr",
        ["ExperimentOptions.Patience"] = "--patience", ["ExperimentOptions.StartFromEpoch"] = "--start-from-epoch", ["ExperimentOptions.LrPatience"] = "--lr-patience", ["ExperimentOptions.ClipNorm"] = "--clip-norm", ["ExperimentOptions.Validation"] = "--validation", ["ExperimentOptions.Features"] = "--features", ["ExperimentOptions.Resume"] = "--resume",
    };

    public static void Status(string message)
    {
        if (!StatusMuted) Console.Error.WriteLine(message);
    }

    /// <summary>Set on ranks other than 0 of a distributed job, so that one rank speaks for the job.</summary>
    public static bool StatusMuted { get; set; }

    /// <summary>Whether an unexpected error prints its stack trace (<c>--verbose</c>).</summary>
    public static bool Verbose { get; set; }

    /// <summary>
    /// Runs a command body; known failures become one clear line on stderr and exit code 2 (1 for a diverged
    /// training). Anything else is a bug: one line and exit code 1, the stack trace only with <c>--verbose</c>.
    /// </summary>
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
                                      or WeightFileException or InvalidDataException or BackendUnavailableException or IOException or UnauthorizedAccessException
                                      or RunFolderException)
        {
            return Fail(Bare(e), 2);
        }
        catch (OutOfMemoryException)
        {
            return Fail("out of memory on the device or the host: lower --batch, or use a smaller model or less data", 2);
        }
        catch (Exception e)
        {
            Fail($"unexpected {e.GetType().Name}: {e.Message}{(Verbose ? "" : " (run again with --verbose for the stack trace)")}", 1);
            if (Verbose) Console.Error.WriteLine(e);
            return 1;
        }
    }

    /// <summary>One line on stderr, whatever line breaks the message holds.</summary>
    public static int Fail(string message, int code = 2)
    {
        Console.Error.WriteLine($"ecg: error: {string.Join(" ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))}");
        return code;
    }

    /// <summary>An output folder option checked before any work: not empty, not a file.</summary>
    public static string CheckOutFolder(string? path, string option = "--out")
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException($"{option} is empty; give a folder");
        if (File.Exists(path)) throw new ArgumentException($"{option} {path} is a file; give a folder");
        return path;
    }

    /// <summary>
    /// An output file option checked before any work: not empty, not a folder, in a folder that exists, and
    /// none of the files the command reads (<paramref name="inputs"/>: option and path).
    /// </summary>
    public static string CheckOutputFile(string path, string option, params (string Option, string Path)[] inputs)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException($"{option} is empty; give a file name");
        if (Directory.Exists(path)) throw new ArgumentException($"{option} {path} is a folder; give a file name");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null && !Directory.Exists(folder)) throw new ArgumentException($"{option} {path}: the folder {folder} does not exist");
        foreach (var (other, input) in inputs)
            if (SameFile(path, input)) throw new ArgumentException($"{option} {path} is the {other} file; writing it would destroy what is read");
        return path;
    }

    private static bool SameFile(string a, string b)
    {
        var (fa, fb) = (Path.GetFullPath(a), Path.GetFullPath(b));
        if (fa == fb) return true;
        // A link or another spelling of the same file.
        try
        {
            if (!File.Exists(fa) || !File.Exists(fb)) return false;
            return (File.ResolveLinkTarget(fa, true)?.FullName ?? fa) == (File.ResolveLinkTarget(fb, true)?.FullName ?? fb);
        }
        catch (IOException) { return false; }
    }

    /// <summary>An epoch-and-step progress line on stderr: a bar, the running loss, and the last epoch's figures.</summary>
    /// <remarks><paramref name="detail"/>, when given, is appended to both lines (a distributed job's shards and step times).</remarks>
    public sealed class ProgressLine(string model, int epochs, Func<string>? detail = null)
    {
        private readonly bool _interactive = !Console.IsErrorRedirected;
        private DateTime _last = DateTime.MinValue;
        private string Detail => detail is null ? "" : " " + detail();

        public IProgress<StepProgress> Steps => new SyncProgress<StepProgress>(s =>
        {
            if (!_interactive || (DateTime.UtcNow - _last).TotalMilliseconds < 100 && s.Rows < s.TotalRows) return;
            _last = DateTime.UtcNow;
            int width = 30, filled = (int)((long)width * s.Rows / s.TotalRows);
            Console.Error.Write($"\r{model} epoch {s.Epoch}/{epochs} [{new string('#', filled)}{new string('.', width - filled)}] {s.Rows}/{s.TotalRows} loss {s.Loss:F4}{Detail}   ");
        });

        public IProgress<EpochLog> Epochs => new SyncProgress<EpochLog>(e =>
        {
            if (_interactive) Console.Error.Write('\r');
            Console.Error.WriteLine($"{model} epoch {e.Epoch}/{epochs}: loss {e.Loss:F4} acc {e.Accuracy:F4} val_loss {e.ValLoss:F4} val_acc {e.ValAccuracy:F4} lr {e.LearningRate:G3} ({e.Seconds:F1} s){Detail}          ");
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
        string F(double v) => double.IsFinite(v) ? v.ToString("F4", CultureInfo.InvariantCulture) : "n/a";
        Console.Write($"{r.Model} on {r.Backend}: accuracy {F(m.Accuracy)}, macro-F1 {F(m.Macro.F1)}, ROC-AUC {F(m.RocAucMacro)}\n" + TextTable.Format(
            ["class", "precision (+P)", "recall (Se)", "F1", "ROC-AUC", "support"],
            m.PerClass.Select(c => (IReadOnlyList<string>)[c.Name, F(c.Precision), F(c.Recall), F(c.F1), F(c.RocAuc), c.Support.ToString(CultureInfo.InvariantCulture)]), 0));
    }

    /// <summary>The comparison as plain text within 80 columns: the backend goes in the title when every model ran on the same one.</summary>
    public static void PrintComparison(IReadOnlyList<ModelResult> results) => Console.Write(ComparisonText(results));

    public static string ComparisonText(IReadOnlyList<ModelResult> results)
    {
        var backends = results.Select(r => r.Backend).Distinct().ToList();
        bool oneBackend = backends.Count == 1;
        var headers = new List<string> { "model" };
        if (!oneBackend) headers.Add("backend");
        headers.AddRange(["accuracy", "macro-F1", "ROC-AUC", "params", "epochs", "train s"]);
        var rows = results.Select(r =>
        {
            var cells = new List<string> { r.Model };
            if (!oneBackend) cells.Add(r.Backend);
            cells.AddRange([r.Metrics.Accuracy.ToString("F4", CultureInfo.InvariantCulture), r.Metrics.Macro.F1.ToString("F4", CultureInfo.InvariantCulture),
                r.Metrics.RocAucMacro.ToString("F4", CultureInfo.InvariantCulture), r.Params.ToString("N0", CultureInfo.InvariantCulture),
                r.EpochsRun.ToString(CultureInfo.InvariantCulture), r.TrainSeconds.ToString("F1", CultureInfo.InvariantCulture)]);
            return (IReadOnlyList<string>)cells;
        });
        var title = oneBackend && results.Count > 0 ? $"comparison on {backends[0]} ({results[0].Device})" : "comparison";
        return title + "\n" + TextTable.Format(headers, rows, oneBackend ? [0] : [0, 1]);
    }
}
