using System.CommandLine;
using System.Text.Json;
using EcgGpu.Cli;
using EcgGpu.Data;
using EcgGpu.Evaluation;
using EcgGpu.Nn;
using EcgGpu.Runtime.Cpu;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>
/// Argument mistakes, bad inputs and interrupted runs against <c>ecg</c> through its real parser: exit 2 and
/// one line on stderr naming the file or the argument, no stack trace, nothing half-written. Small data:
/// 150 training and 50 test beats, cnn-ig, one or two epochs.
/// </summary>
[NonParallelizable]
public sealed class HostileCliTests
{
    private string _dir = "";
    private string _data = "";

    [OneTimeSetUp]
    public void MakeData()
    {
        _dir = Directory.CreateTempSubdirectory("ecg-hostile-cli-").FullName;
        _data = Path.Combine(_dir, "data");
        var weights = new[] { 0.4, 0.15, 0.15, 0.15, 0.15 };
        KaggleCsv.Write(Path.Combine(_data, KaggleCsv.TrainFile), SyntheticBeats.Generate(150, 1, weights));
        KaggleCsv.Write(Path.Combine(_data, KaggleCsv.TestFile), SyntheticBeats.Generate(50, 2, weights));
    }

    [OneTimeTearDown]
    public void Remove() => Directory.Delete(_dir, recursive: true);

    private sealed record Outcome(int Code, string Error, string Output);

    private static Outcome Ecg(params string[] args)
    {
        var (error, output) = (new StringWriter(), new StringWriter());
        var (oldError, oldOutput) = (Console.Error, Console.Out);
        Console.SetError(error);
        Console.SetOut(output);
        try
        {
            int code = Cli.EcgTool.Invoke(args);
            return new Outcome(code, error.ToString(), output.ToString());
        }
        finally
        {
            Console.SetError(oldError);
            Console.SetOut(oldOutput);
        }
    }

    private static Outcome Line(string line) => Ecg(line.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Exit 2, the last stderr line is the error naming <paramref name="mentions"/>, no stack trace.</summary>
    private static void AssertRefused(Outcome o, params string[] mentions)
    {
        TestContext.Out.WriteLine(o.Error.TrimEnd());
        Assert.That(o.Code, Is.EqualTo(2), o.Error);
        var lines = o.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines.Count(l => l.StartsWith("ecg: error:")), Is.EqualTo(1), o.Error);
        Assert.That(o.Error, Does.Not.Contain("   at "), "no stack trace");
        var error = lines.Single(l => l.StartsWith("ecg: error:"));
        foreach (var m in mentions) Assert.That(error, Does.Contain(m));
    }

    private string Train(string name, int epochs = 2)
    {
        var run = Path.Combine(_dir, name);
        var o = Line($"train --model cnn-ig --epochs {epochs} --batch 32 --patience 10 --backend cpu --data {_data} --out {run}");
        Assert.That(o.Code, Is.EqualTo(0), o.Error);
        return run;
    }

    [Test]
    public void Predict_refuses_outputs_that_would_destroy_or_half_write_before_any_work()
    {
        var run = Train("predict-run");
        var weights = Path.Combine(run, "model.safetensors");
        var input = Path.Combine(_data, KaggleCsv.TestFile);
        var before = File.ReadAllBytes(input);
        AssertRefused(Line($"predict --weights {weights} --input {input} --output {input} --backend cpu"), "--output", "--input");
        AssertRefused(Line($"predict --weights {weights} --input {input} --output {Path.Combine(_dir, "predict-run", ".", KaggleCsv.TestFile.Replace("mitbih_test.csv", "model.safetensors"))} --backend cpu"), "--output", "--weights");
        Assert.That(File.ReadAllBytes(input), Is.EqualTo(before), "the beats are untouched");
        var folder = Path.Combine(_dir, "out-folder");
        Directory.CreateDirectory(folder);
        AssertRefused(Line($"predict --weights {weights} --input {input} --output {folder} --backend cpu"), "--output", "is a folder");
        Assert.That(Directory.GetFileSystemEntries(folder), Is.Empty, "no temporary file left");
        AssertRefused(Line($"predict --weights {weights} --input {input} --output {Path.Combine(_dir, "no-such-folder", "p.csv")} --backend cpu"), "--output", "does not exist");
        AssertRefused(Line($"predict --weights {run} --input {input} --backend cpu"), "--weights", "is a folder");
        AssertRefused(Line($"predict --weights {weights} --input {_data} --backend cpu"), _data, "is a folder");
        AssertRefused(Ecg("predict", "--weights", weights, "--input", input, "--output", "", "--backend", "cpu"), "--output", "empty");
        var ok = Line($"predict --weights {weights} --input {input} --output {Path.Combine(_dir, "p.csv")} --backend cpu");
        Assert.That(ok.Code, Is.EqualTo(0), ok.Error);
    }

    [Test]
    public void Predict_and_evaluate_refuse_huge_values_and_diverged_weights_instead_of_printing_a_class()
    {
        var run = Train("nan-run");
        var huge = Path.Combine(_dir, "huge.csv");
        var row = Enumerable.Repeat("0.5", 187).ToArray();
        row[42] = "1e30";
        File.WriteAllText(huge, string.Join(",", Enumerable.Repeat("0.5", 187)) + "\n" + string.Join(",", row) + "\n");
        AssertRefused(Line($"predict --weights {run}/model.safetensors --input {huge} --backend cpu"), huge, "line 2, column 43", "outside 0..1");

        // A diverged model as it would be written with a valid checksum: NaN weights are refused on load.
        var diverged = Path.Combine(_dir, "diverged.safetensors");
        using (var model = Zoo.Create("cnn-ig").Compile(CpuAccelerator.Create(), batchSize: 8))
        {
            WeightFile.Load(model, Path.Combine(run, "model.safetensors"));
            var p = model.Parameters.First();
            var values = p.Value.ToArray();
            Array.Fill(values, float.NaN);
            p.Value.Upload(values);
            Assert.Throws<NonFiniteWeightsException>(() => WeightFile.Save(model, diverged));
        }
        Assert.That(File.Exists(diverged), Is.False, "never written");

        // The last line of defence: outputs that are not finite never become a class.
        var e = Assert.Throws<InvalidDataException>(() => Predictions.RequireFinite([0.2f, float.NaN, 0.3f, 0.1f, 0.4f], 5, "cnn-ig"))!;
        Assert.That(e.Message, Does.Contain("row 0").And.Contain("NaN"));
    }

    [Test]
    public void Out_is_checked_before_the_data_is_loaded()
    {
        var file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "x");
        // --data names a missing folder: the --out error must come first, as it would before minutes of loading.
        var commands = new[]
        {
            new[] { "train", "--model", "cnn-ig", "--data", "/nonexistent", "--backend", "cpu" },
            ["compare", "--models", "cnn-ig", "--data", "/nonexistent", "--backend", "cpu"],
            ["eda", "--data", "/nonexistent", "--backend", "cpu"],
            ["evaluate", "--predictions", "/nonexistent.csv"],
            ["prepare", "--mitdb", "/nonexistent"],
        };
        foreach (var command in commands)
        {
            AssertRefused(Ecg([.. command, "--out", file]), "--out", "is a file");
            AssertRefused(Ecg([.. command, "--out", ""]), "--out", "empty");
        }
        Assert.That(File.ReadAllText(file), Is.EqualTo("x"));
    }

    [Test]
    public void Batch_larger_than_the_data_and_degenerate_training_data_are_refused()
    {
        AssertRefused(Line($"train --model cnn-ig --batch 100000 --backend cpu --data {_data} --out {Path.Combine(_dir, "big-batch")}"), "--batch 100000", "150 training beats");
        AssertRefused(Line($"train --model lstm2 --batch 100000 --backend cpu --data {_data} --out {Path.Combine(_dir, "big-batch")}"), "--batch 100000");
        Assert.That(Directory.Exists(Path.Combine(_dir, "big-batch")), Is.False, "nothing created");

        var oneClass = Path.Combine(_dir, "one-class");
        var beats = SyntheticBeats.Generate(40, 3, [1, 0, 0, 0, 0]);
        KaggleCsv.Write(Path.Combine(oneClass, KaggleCsv.TrainFile), beats);
        KaggleCsv.Write(Path.Combine(oneClass, KaggleCsv.TestFile), beats);
        AssertRefused(Line($"train --model cnn-ig --batch 8 --backend cpu --data {oneClass} --out {Path.Combine(_dir, "one-class-run")}"), "all of class N", "two classes");
        var oneRow = Path.Combine(_dir, "one-row");
        KaggleCsv.Write(Path.Combine(oneRow, KaggleCsv.TrainFile), SyntheticBeats.Generate(6, 3));
        KaggleCsv.Write(Path.Combine(oneRow, KaggleCsv.TestFile), beats);
        AssertRefused(Line($"train --model cnn-ig --batch 1 --backend cpu --data {oneRow} --out {Path.Combine(_dir, "one-row-run")}"), "validation");
        Assert.That(Directory.Exists(Path.Combine(_dir, "one-class-run")) || Directory.Exists(Path.Combine(_dir, "one-row-run")), Is.False);
    }

    [Test]
    public void A_finished_run_is_not_overwritten_without_overwrite_and_a_held_folder_is_refused()
    {
        var run = Train("finished");
        var history = File.ReadAllText(Path.Combine(run, "history.csv"));
        AssertRefused(Line($"train --model cnn-ig --epochs 1 --backend cpu --data {_data} --out {run}"), "--out", "--overwrite", "--resume");
        Assert.That(File.ReadAllText(Path.Combine(run, "history.csv")), Is.EqualTo(history), "the finished run is untouched");
        AssertRefused(Line($"train --model cnn-ig --epochs 1 --backend cpu --data {_data} --out {run} --resume {run} --overwrite"), "--overwrite");

        // While another run holds the folder, a second is refused naming the holder.
        using (RunFolder.Acquire(run))
            AssertRefused(Line($"train --model cnn-ig --epochs 3 --backend cpu --data {_data} --out {run} --resume {run}"), "in use by another run", $"process {Environment.ProcessId}");

        var again = Line($"train --model cnn-ig --epochs 1 --batch 32 --backend cpu --data {_data} --out {run} --overwrite");
        Assert.That(again.Code, Is.EqualTo(0), again.Error);
        Assert.That(File.ReadAllLines(Path.Combine(run, "history.csv")), Has.Length.EqualTo(2), "a fresh history of one epoch");
        Assert.That(File.Exists(Path.Combine(run, "model.safetensors")));
    }

    [Test]
    public void A_refused_resume_creates_nothing_and_lr_on_resume_is_applied_and_said()
    {
        var missing = Path.Combine(_dir, "never-made");
        AssertRefused(Line($"train --model cnn-ig --backend cpu --data {_data} --out {missing} --resume {Path.Combine(_dir, "nope.safetensors")}"), "--resume");
        var run = Train("lr-run", epochs: 1);
        AssertRefused(Line($"train --model cnn --epochs 3 --backend cpu --data {_data} --out {Path.Combine(_dir, "other-out")} --resume {run}"), "--resume", "cnn-ig");
        Assert.That(Directory.Exists(missing) || Directory.Exists(Path.Combine(_dir, "other-out")), Is.False, "a refused run creates no folder");

        var o = Line($"train --model cnn-ig --epochs 2 --batch 32 --patience 10 --lr 0.0005 --backend cpu --data {_data} --out {run} --resume {run}");
        Assert.That(o.Code, Is.EqualTo(0), o.Error);
        Assert.That(o.Error, Does.Contain("--lr 0.0005 replaces the learning rate"));
        var lines = File.ReadAllLines(Path.Combine(run, "history.csv"));
        Assert.That(lines[2].Split(',')[5], Is.EqualTo("0.0005"), "epoch 2 ran at the new rate");
    }

    [Test]
    public void Resume_cleans_stale_temporary_files_and_finishes_a_run_killed_while_writing_its_reports()
    {
        var run = Train("killed");
        var metrics = File.ReadAllText(Path.Combine(run, "metrics.json"));
        // As kill -9 leaves it: the last epoch's checkpoint written, the reports not, temporary files about.
        foreach (var f in RunFolder.Reports) File.Delete(Path.Combine(run, f));
        var stale = new[] { "metrics.json.4242.tmp", "last.safetensors.4242.0123abcd.tmp", "model.safetensors.77.ffff.tmp" };
        foreach (var f in stale) File.WriteAllText(Path.Combine(run, f), "partial");
        File.WriteAllText(Path.Combine(run, "notes.tmp"), "the user's own file");
        var o = Line($"train --model cnn-ig --epochs 2 --batch 32 --patience 10 --backend cpu --data {_data} --out {run} --resume {run}");
        Assert.That(o.Code, Is.EqualTo(0), o.Error);
        foreach (var f in RunFolder.Reports) Assert.That(File.Exists(Path.Combine(run, f)), f);
        foreach (var f in stale) Assert.That(File.Exists(Path.Combine(run, f)), Is.False, f);
        Assert.That(File.Exists(Path.Combine(run, "notes.tmp")), "only a run's own temporary files are removed");
        using var before = JsonDocument.Parse(metrics);
        using var after = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        foreach (var field in new[] { "accuracy", "epochs_run", "best_epoch" })
            Assert.That(after.RootElement.GetProperty(field).GetRawText(), Is.EqualTo(before.RootElement.GetProperty(field).GetRawText()), field);
        // Finished now: a further resume has nothing to do.
        AssertRefused(Line($"train --model cnn-ig --epochs 2 --batch 32 --patience 10 --backend cpu --data {_data} --out {run} --resume {run}"), "already has 2 epochs");
    }

    [Test]
    public void A_kill_between_the_history_line_and_the_checkpoint_loses_no_epoch()
    {
        // Epoch 2's history line written, its last.safetensors not (the writing order now): the checkpoint is epoch 1's.
        var run = Train("between", epochs: 1);
        var epochOne = File.ReadAllBytes(Path.Combine(run, "last.safetensors"));
        var o = Line($"train --model cnn-ig --epochs 2 --batch 32 --patience 10 --backend cpu --data {_data} --out {run} --resume {run}");
        Assert.That(o.Code, Is.EqualTo(0), o.Error);
        var straight = File.ReadAllLines(Path.Combine(run, "history.csv")).Select(l => string.Join(",", l.Split(',')[..^1])).ToArray();
        File.WriteAllBytes(Path.Combine(run, "last.safetensors"), epochOne);
        foreach (var f in RunFolder.Reports) File.Delete(Path.Combine(run, f));
        o = Line($"train --model cnn-ig --epochs 2 --batch 32 --patience 10 --backend cpu --data {_data} --out {run} --resume {run}");
        Assert.That(o.Code, Is.EqualTo(0), o.Error);
        var history = File.ReadAllLines(Path.Combine(run, "history.csv")).Select(l => string.Join(",", l.Split(',')[..^1])).ToArray();
        Assert.That(history, Is.EqualTo(straight), "epochs 1 and 2 once each, as an uninterrupted run");
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        Assert.That(metrics.RootElement.GetProperty("epochs_run").GetInt32(), Is.EqualTo(2));
    }

    [Test]
    public void Bad_weight_files_and_records_give_one_line_and_exit_two_from_every_command()
    {
        var bad = Path.Combine(_dir, "bad.safetensors");
        File.WriteAllBytes(bad, [8, 0, 0, 0, 0, 0, 0, 0, .. "[1,2,3] "u8]);
        AssertRefused(Line($"evaluate --weights {bad} --data {_data} --backend cpu --out {Path.Combine(_dir, "ev")}"), bad, "array");
        AssertRefused(Line($"predict --weights {bad} --input {Path.Combine(_data, KaggleCsv.TestFile)} --backend cpu"), bad, "array");
        AssertRefused(Line($"evaluate --predictions {_data} --out {Path.Combine(_dir, "ev")}"), "--predictions", "is a folder");

        var records = Path.Combine(_dir, "records");
        Directory.CreateDirectory(records);
        HostileWfdbTests.WriteRecord(records, "100", header: "100 2 0 21600\n");
        AssertRefused(Line($"prepare --mitdb {records} --out {Path.Combine(_dir, "prepared")}"), "100.hea", "sampling frequency 0");
        File.Delete(Path.Combine(records, "100.hea"));
        AssertRefused(Line($"prepare --mitdb {records} --out {Path.Combine(_dir, "prepared")}"), "100.dat", "without a header");

        var folderTrain = Path.Combine(_dir, "folder-data");
        Directory.CreateDirectory(Path.Combine(folderTrain, KaggleCsv.TrainFile));
        File.Copy(Path.Combine(_data, KaggleCsv.TestFile), Path.Combine(folderTrain, KaggleCsv.TestFile));
        AssertRefused(Line($"eda --data {folderTrain} --backend cpu --out {Path.Combine(_dir, "eda")}"), KaggleCsv.TrainFile, "is a folder");
    }

    [Test]
    public void Argument_mistakes_are_one_line_and_exit_two()
    {
        AssertRefused(Line("train --model cnn-ig --epochs abc --out x"), "abc", "--epochs", "ecg train --help");
        AssertRefused(Line("train --model nosuch --out x"), "nosuch");
        AssertRefused(Line("predict --weights"), "--weights");
        AssertRefused(Line("train --model cnn-ig --out x --no-such-option"), "--no-such-option");
        AssertRefused(Line("nosuchcommand"), "nosuchcommand", "ecg --help");
        Assert.That(Line("train --help").Code, Is.EqualTo(0));
    }

    [Test]
    public void Like_cases_found_by_trying_name_their_argument()
    {
        AssertRefused(Line($"train --model cnn-ig --device 99 --backend cpu --data /nonexistent --out {Path.Combine(_dir, "d99")}"), "--device 99", "0..0");
        AssertRefused(Line($"eda --bins 100000000 --backend cpu --data {_data} --out {Path.Combine(_dir, "eda-bins")}"), "--bins", "409");
        AssertRefused(Line("bench --models cnn-ig --batch 100000000 --steps 1 --backend cpu"), "--batch 100000000");
        AssertRefused(Line($"train --model cnn-ig --mitdb /etc/hostname --out {Path.Combine(_dir, "m")}"), "--mitdb", "is a file");
        AssertRefused(Line($"prepare --mitdb /etc/hostname --out {Path.Combine(_dir, "m")}"), "--mitdb", "is a file");
        AssertRefused(Line($"train --model cnn-ig --data {Path.Combine(_data, KaggleCsv.TrainFile)} --out {Path.Combine(_dir, "m")}"), "--data", "is a file");
        AssertRefused(Line($"train --model cnn-ig --features all --data /nonexistent --out {Path.Combine(_dir, "m")}"), "--features all");
        AssertRefused(Line($"train --model cnn --features ig60 --data /nonexistent --out {Path.Combine(_dir, "m")}"), "--features ig60");
        Assert.That(Directory.Exists(Path.Combine(_dir, "m")) || Directory.Exists(Path.Combine(_dir, "d99")), Is.False);
    }

    [Test]
    public void A_diverged_run_leaves_no_model_and_does_not_block_the_folder_and_compare_keeps_finished_runs()
    {
        var run = Path.Combine(_dir, "diverged-run");
        var o = Line($"train --model cnn-ig --epochs 1 --batch 16 --lr 1e30 --backend cpu --data {_data} --out {run}");
        Assert.That(o.Code, Is.EqualTo(1), o.Error);
        Assert.That(o.Error, Does.Contain("lower the learning rate"));
        Assert.That(Directory.GetFiles(run, "*.safetensors*"), Is.Empty, "no model of a diverged run");
        Train("diverged-run", epochs: 1);

        var compare = Path.Combine(_dir, "compare");
        var first = Line($"compare --models cnn-ig --epochs 1 --batch 32 --backend cpu --data {_data} --out {compare}");
        Assert.That(first.Code, Is.EqualTo(0), first.Error);
        AssertRefused(Line($"compare --models cnn-ig --epochs 1 --batch 32 --backend cpu --data {_data} --out {compare}"), "--out", "--overwrite");
        var again = Line($"compare --models cnn-ig --epochs 1 --batch 32 --backend cpu --data {_data} --out {compare} --overwrite");
        Assert.That(again.Code, Is.EqualTo(0), again.Error);

        // One model diverging does not stop the others: each is tried, each named, exit 1.
        var diverging = Path.Combine(_dir, "compare-diverging");
        var both = Line($"compare --models cnn-ig,cnn --epochs 1 --batch 16 --lr 1e30 --backend cpu --data {_data} --out {diverging}");
        TestContext.Out.WriteLine(both.Error.TrimEnd());
        Assert.That(both.Code, Is.EqualTo(1), both.Error);
        Assert.That(both.Error, Does.Contain("[2/2] cnn"), "the second model was trained after the first diverged");
        Assert.That(both.Error, Does.Contain("going on with the other models"));
        Assert.That(both.Error, Does.Contain("every model's training diverged (cnn-ig, cnn)"));
        Assert.That(File.Exists(Path.Combine(diverging, "comparison.json")), Is.False, "no comparison of nothing");
    }

    [Test]
    public void An_unexpected_exception_is_one_line_and_exit_one_with_the_trace_only_under_verbose()
    {
        var error = new StringWriter();
        var old = Console.Error;
        Console.SetError(error);
        try
        {
            CliCommon.Verbose = false;
            Assert.That(CliCommon.Guard(() => throw new NullReferenceException("boom\nsecond line")), Is.EqualTo(1));
            Assert.That(error.ToString().TrimEnd().Split('\n'), Has.Length.EqualTo(1));
            Assert.That(error.ToString(), Does.Contain("unexpected NullReferenceException: boom second line").And.Contain("--verbose").And.Not.Contain("   at "));
            error.GetStringBuilder().Clear();
            CliCommon.Verbose = true;
            Assert.That(CliCommon.Guard(() => throw new KeyNotFoundException("gone")), Is.EqualTo(1));
            Assert.That(error.ToString(), Does.Contain("unexpected KeyNotFoundException: gone").And.Contain("   at "));
            error.GetStringBuilder().Clear();
            Assert.That(CliCommon.Guard(() => throw new OutOfMemoryException()), Is.EqualTo(2));
            Assert.That(error.ToString(), Does.Contain("--batch"));
        }
        finally
        {
            CliCommon.Verbose = false;
            Console.SetError(old);
        }
        // --verbose is accepted by every command.
        Assert.That(Line("verify --backend cpu --family reduce --verbose").Code, Is.EqualTo(0));
    }
}
