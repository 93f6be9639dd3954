using System.CommandLine;
using EcgGpu.Cli;

var root = new RootCommand("ecg: train and evaluate ECG heartbeat classifiers on CUDA, OpenCL or the CPU with hand-written kernels.");
root.Add(DevicesCommand.Create());
root.Add(VerifyCommand.Create());
return root.Parse(args).Invoke();
