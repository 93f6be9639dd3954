using System.Diagnostics;
using EcgGpu.Data;
using EcgGpu.Evaluation;
using EcgGpu.Nn;
using EcgGpu.Onnx;
using EcgGpu.Runtime;
using EcgGpu.Runtime.Cpu;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace EcgGpu.Cli;

/// <summary>
/// The same zoo model exported to ONNX and run by ONNX Runtime's CPU provider, timed as <see cref="ModelBenchmark"/>
/// times ours: single-beat latency (median of repeated runs, input and output copies included) and batch-1024
/// throughput (median of 7 runs). ONNX Runtime gets as many intra-op threads as our CPU backend uses.
/// </summary>
internal static class OnnxRuntimeBench
{
    public static InferenceFigures Measure(Accelerator accelerator, string name)
    {
        byte[] onnx;
        using (var model = Zoo.Create(name).Compile(accelerator, batchSize: 1, seed: 1))
            onnx = OnnxExporter.ToBytes(model);
        int threads = accelerator is CpuAccelerator cpu ? cpu.DegreeOfParallelism : Environment.ProcessorCount;
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        using var session = new InferenceSession(onnx, options);
        var inputs = session.InputMetadata.Select(i => (Name: i.Key, Width: i.Value.Dimensions[^1])).ToList();
        var one = Inputs(inputs, 1, seed: 1);
        var big = Inputs(inputs, 1024, seed: 2);
        var warm = Stopwatch.StartNew();
        for (int i = 0; i < 50 || warm.Elapsed.TotalMilliseconds < 500; i++) Run(session, one);
        var latencies = new List<double>();
        var deadline = Stopwatch.StartNew();
        while (latencies.Count < 500 && (latencies.Count < 20 || deadline.Elapsed.TotalSeconds < 3))
        {
            var t = Stopwatch.StartNew();
            Run(session, one);
            latencies.Add(t.Elapsed.TotalMicroseconds);
        }
        latencies.Sort();
        Run(session, big);
        var bigTimes = new List<double>();
        for (int i = 0; i < 7; i++)
        {
            var t = Stopwatch.StartNew();
            Run(session, big);
            bigTimes.Add(t.Elapsed.TotalSeconds);
        }
        bigTimes.Sort();
        return new InferenceFigures($"ONNX Runtime {OrtEnv.Instance().GetVersionString()} (CPU)", threads, latencies[latencies.Count / 2], 1024 / bigTimes[bigTimes.Count / 2]);
    }

    /// <summary>
    /// Synthetic beats for the beat input (cut to the first columns for a model exported without its stored
    /// selection), ratios of 1 for an RR input: timing depends only on the shapes.
    /// </summary>
    private static List<NamedOnnxValue> Inputs(List<(string Name, int Width)> inputs, int rows, int seed)
    {
        var beats = SyntheticBeats.Generate(rows, seed);
        return inputs.Select(i =>
        {
            var values = i.Name != OnnxExporter.InputName ? Enumerable.Repeat(1f, rows * i.Width).ToArray()
                : i.Width == beats.Length ? beats.Samples : beats.SelectColumns(Enumerable.Range(0, i.Width).ToArray()).Samples;
            return NamedOnnxValue.CreateFromTensor(i.Name, new DenseTensor<float>(values, [rows, i.Width]));
        }).ToList();
    }

    private static float[] Run(InferenceSession session, List<NamedOnnxValue> inputs)
    {
        using var results = session.Run(inputs);
        return results[0].AsTensor<float>().ToArray();
    }
}
