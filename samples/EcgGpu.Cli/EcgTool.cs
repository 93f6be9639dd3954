using System.CommandLine;

namespace EcgGpu.Cli;

/// <summary>The <c>ecg</c> tool's root command: every subcommand, as Program runs them and the tests invoke them.</summary>
internal static class EcgTool
{
    public static RootCommand Root() => new("ecg: train and evaluate ECG heartbeat classifiers on CUDA, OpenCL or the CPU with hand-written kernels.")
    {
        DevicesCommand.Create(), VerifyCommand.Create(), PrepareCommand.Create(), TrainCommand.Create(),
        EvaluateCommand.Create(), PredictCommand.Create(), CompareCommand.Create(), EdaCommand.Create(), BenchCommand.Create(), ExportCommand.Create(),
    };
}
