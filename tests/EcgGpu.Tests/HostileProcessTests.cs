using System.Diagnostics;
using EcgGpu.Data;
using EcgGpu.Evaluation;
using EcgGpu.Nn;
using EcgGpu.Runtime.Cpu;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>
/// A real <c>ecg train</c> process, killed with SIGKILL mid-run while a second run tries the same folder:
/// the second is refused naming the first, every file the killed run left is whole, and resuming loses
/// no epoch and leaves no temporary file.
/// </summary>
[NonParallelizable]
public sealed class HostileProcessTests
{
    [Test]
    public void Kill_nine_mid_run_leaves_whole_files_and_a_concurrent_run_is_refused()
    {
        var dir = Directory.CreateTempSubdirectory("ecg-hostile-kill-").FullName;
        try
        {
            var data = Path.Combine(dir, "data");
            KaggleCsv.Write(Path.Combine(data, KaggleCsv.TrainFile), SyntheticBeats.Generate(150, 1, [0.4, 0.15, 0.15, 0.15, 0.15]));
            KaggleCsv.Write(Path.Combine(data, KaggleCsv.TestFile), SyntheticBeats.Generate(50, 2, [0.4, 0.15, 0.15, 0.15, 0.15]));
            var run = Path.Combine(dir, "run");
            var history = Path.Combine(run, "history.csv");
            var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "ecg.dll"), "train", "--model", "cnn-ig", "--epochs", "100000", "--patience", "100000",
                         "--batch", "32", "--backend", "cpu", "--data", data, "--out", run })
                start.ArgumentList.Add(a);
            using var child = Process.Start(start)!;
            child.ErrorDataReceived += (_, _) => { };
            child.OutputDataReceived += (_, _) => { };
            child.BeginErrorReadLine();
            child.BeginOutputReadLine();
            var clock = Stopwatch.StartNew();
            while (!(File.Exists(history) && File.ReadLines(history).Count() > 3) && clock.Elapsed.TotalSeconds < 60 && !child.HasExited) Thread.Sleep(50);
            Assert.That(child.HasExited, Is.False, "the run is still training");

            var error = new StringWriter();
            var old = Console.Error;
            Console.SetError(error);
            int code;
            try { code = Cli.EcgTool.Invoke(["train", "--model", "cnn-ig", "--epochs", "100000", "--backend", "cpu", "--data", data, "--out", run, "--resume", run]); }
            finally { Console.SetError(old); }
            TestContext.Out.WriteLine(error.ToString().Trim());
            Assert.That(code, Is.EqualTo(2));
            Assert.That(error.ToString(), Does.Contain("in use by another run").And.Contain($"process {child.Id}"));

            Thread.Sleep(new Random().Next(0, 200));   // a moment of its choosing: maybe mid-write
            child.Kill(entireProcessTree: true);
            child.WaitForExit();

            // Every file is whole: the checkpoints load, the history parses, its epochs are 1..k, and the checkpoint is at k or k − 1.
            using var acc = CpuAccelerator.Create();
            using var model = Zoo.Create("cnn-ig").Compile(acc, new AdamOptimizer(1e-3f), batchSize: 32);
            int saved = WeightFile.Resume(model, Path.Combine(run, "last.safetensors"));
            WeightFile.Load(model, Path.Combine(run, "model.safetensors"));
            var epochs = CsvLogger.Read(history).Select(e => e.Epoch).ToList();
            Assert.That(epochs, Is.EqualTo(Enumerable.Range(1, epochs.Count)));
            Assert.That(epochs.Count, Is.InRange(saved, saved + 1), "the history is never behind the checkpoint");
            TestContext.Out.WriteLine($"killed after epoch {epochs.Count}, checkpoint at {saved}; left: {string.Join(", ", Directory.GetFiles(run).Select(Path.GetFileName))}");

            Console.SetError(TextWriter.Null);
            try { code = Cli.EcgTool.Invoke(["train", "--model", "cnn-ig", "--epochs", (saved + 2).ToString(), "--patience", "100000", "--batch", "32", "--backend", "cpu", "--data", data, "--out", run, "--resume", run]); }
            finally { Console.SetError(old); }
            Assert.That(code, Is.EqualTo(0));
            Assert.That(CsvLogger.Read(history).Select(e => e.Epoch), Is.EqualTo(Enumerable.Range(1, saved + 2)), "no epoch lost or repeated");
            Assert.That(Directory.GetFiles(run, "*.tmp"), Is.Empty, "the killed run's temporary files are gone");
            Assert.That(RunFolder.IsFinished(run));
        }
        finally { Directory.Delete(dir, true); }
    }
}
