using System.CommandLine;
using EcgGpu.Cli;

return Cli.Root().Parse(args).Invoke();

namespace EcgGpu.Cli
{
    internal static class Cli
    {
        public static RootCommand Root()
        {
            var root = new RootCommand("ecg: train and evaluate ECG heartbeat classifiers on CUDA, OpenCL or the CPU with hand-written kernels.")
            {
                DevicesCommand.Create(), VerifyCommand.Create(), PrepareCommand.Create(), TrainCommand.Create(),
                EvaluateCommand.Create(), PredictCommand.Create(), CompareCommand.Create(), EdaCommand.Create(), BenchCommand.Create(),
            };
            var verbose = new Option<bool>("--verbose") { Description = "On an unexpected error, also print its stack trace.", Recursive = true };
            root.Options.Add(verbose);
            // Every command runs under the last-resort handler: no stack trace reaches a user unless asked for.
            foreach (var command in root.Subcommands)
                if (command.Action is System.CommandLine.Invocation.SynchronousCommandLineAction inner)
                    command.SetAction(r =>
                    {
                        CliCommon.Verbose = r.GetValue(verbose);
                        return CliCommon.Guard(() => inner.Invoke(r));
                    });
            return root;
        }
    }
}
