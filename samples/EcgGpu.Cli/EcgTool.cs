using System.CommandLine;
using System.CommandLine.Invocation;

namespace EcgGpu.Cli;

/// <summary>The <c>ecg</c> tool's root command: every subcommand, as Program runs them and the tests invoke them.</summary>
internal static class EcgTool
{
    /// <summary>
    /// Parses and runs a command line. A mistake in the arguments (an unknown option, a value of the wrong
    /// type) is one line naming it and exit code 2, as every other refused input; help and version as usual.
    /// </summary>
    public static int Invoke(string[] args)
    {
        var result = Root().Parse(args);
        if (result.Errors.Count == 0) return result.Invoke();
        var command = result.CommandResult.Command;
        var name = command is RootCommand ? "ecg" : $"ecg {command.Name}";
        var messages = result.Errors.Select(e => e.Message.TrimEnd('.')).Distinct().Take(3);
        return CliCommon.Fail($"{string.Join("; ", messages)} ({name} --help lists the options)", 2);
    }

    public static RootCommand Root()
    {
        var root = new RootCommand("ecg: train and evaluate ECG heartbeat classifiers on CUDA, OpenCL or the CPU with hand-written kernels.")
        {
            DevicesCommand.Create(), VerifyCommand.Create(), PrepareCommand.Create(), TrainCommand.Create(),
            EvaluateCommand.Create(), PredictCommand.Create(), CompareCommand.Create(), EdaCommand.Create(), BenchCommand.Create(), ExportCommand.Create(),
        };
        var verbose = new Option<bool>("--verbose") { Description = "On an unexpected error, also print its stack trace.", Recursive = true };
        root.Options.Add(verbose);
        // Every command runs under the last-resort handler: no stack trace reaches a user unless asked for.
        foreach (var command in root.Subcommands)
            if (command.Action is SynchronousCommandLineAction inner)
                command.SetAction(r =>
                {
                    CliCommon.Verbose = r.GetValue(verbose);
                    return CliCommon.Guard(() => inner.Invoke(r));
                });
        return root;
    }
}
