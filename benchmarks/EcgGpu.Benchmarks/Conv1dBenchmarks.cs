using EcgGpu.Kernels;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using EcgGpu.Runtime;

namespace EcgGpu.Benchmarks;

/// <summary>
/// conv1d forward, input gradient and weight gradient on the seed CNN's shapes (batch 64, length
/// 187, kernel 3, valid): Conv1D(64) on 1 channel, and Conv1D(128) on 64 channels after MaxPool(2)
/// (length 92); and kachuee's 32 → 32-channel kernel-5 'same' convolution on length 187.
/// </summary>
[Config(typeof(Config))]
public class Conv1dBenchmarks : IFlopCount
{
    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new GflopsColumn());
    }

    public static IEnumerable<string> Layers => ["conv1 1->64 L187", "conv2 64->128 L92", "kachuee 32->32 L187 K5"];

    [ParamsSource(nameof(Layers))]
    public string Layer { get; set; } = "conv1 1->64 L187";

    [ParamsSource(nameof(Backends))]
    public string Backend { get; set; } = "cpu";

    public static IEnumerable<string> Backends => BenchBackends.Filter(BenchBackends.Available());

    private static Conv1dShape ShapeOf(string layer) => layer.Split(' ')[0] switch
    {
        "conv1" => new Conv1dShape(64, 1, 187, 64, 3, Padding.Valid),
        "conv2" => new Conv1dShape(64, 64, 92, 128, 3, Padding.Valid),
        _ => new Conv1dShape(64, 32, 187, 32, 5, Padding.Same),   // kachuee's first residual unit
    };

    public double Flops(BenchmarkCase benchmarkCase) => 2.0 * ShapeOf((string)benchmarkCase.Parameters["Layer"]).MultiplyAdds;

    private Conv1dShape _s;
    private Accelerator? _acc;
    private DeviceBuffer<float>? _x, _w, _b, _y, _dy, _dx, _dw, _db;

    [GlobalSetup]
    public void Setup()
    {
        _s = ShapeOf(Layer);
        var rng = new Random(1);
        _acc = BenchBackends.Open(Backend);
        _x = _acc.Upload<float>(KernelChecks.RandomFloats(rng, _s.InputLength));
        _w = _acc.Upload<float>(KernelChecks.RandomFloats(rng, _s.WeightLength));
        _b = _acc.Upload<float>(KernelChecks.RandomFloats(rng, _s.Cout));
        _y = _acc.Allocate<float>(_s.OutputLength);
        _dy = _acc.Upload<float>(KernelChecks.RandomFloats(rng, _s.OutputLength));
        _dx = _acc.Allocate<float>(_s.InputLength);
        _dw = _acc.Allocate<float>(_s.WeightLength);
        _db = _acc.Allocate<float>(_s.Cout);
        Forward(); BackwardInput(); BackwardWeight();
    }

    [Benchmark]
    public void Forward()
    {
        Conv1d.Forward(_s, _x!, _w!, _b, _y!);
        _acc!.Synchronize();
    }

    [Benchmark]
    public void BackwardInput()
    {
        Conv1d.BackwardInput(_s, _dy!, _w!, _dx!);
        _acc!.Synchronize();
    }

    [Benchmark]
    public void BackwardWeight()
    {
        Conv1d.BackwardWeight(_s, _x!, _dy!, _dw!, _db);
        _acc!.Synchronize();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var b in new[] { _x, _w, _b, _y, _dy, _dx, _dw, _db }) b?.Dispose();
        _acc?.Dispose();
    }
}
