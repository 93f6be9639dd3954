using System.CommandLine;
using EcgGpu.Cli;

return Cli.Root().Parse(args).Invoke();

namespace EcgGpu.Cli
{
    internal static class Cli
    {
        public static RootCommand Root() => new("ecg: train and evaluate ECG heartbeat classifiers on CUDA, OpenCL or the CPU with hand-written kernels.")
        {
            DevicesCommand.Create(), VerifyCommand.Create(), PrepareCommand.Create(), TrainCommand.Create(),
            EvaluateCommand.Create(), PredictCommand.Create(), CompareCommand.Create(), EdaCommand.Create(), BenchCommand.Create(), ExportCommand.Create(),
        };
    }
}
