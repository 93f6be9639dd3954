using EcgGpu.Kernels;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using EcgGpu.Runtime;

namespace EcgGpu.Benchmarks;

/// <summary>
/// GEMM per backend against OpenBLAS sgemm on the same machine and threads, in one run: square
/// sizes and the seed models' dense shapes (batch 64; cnn's Dense(128) on 128·45 = 5760 inputs,
/// forward and weight gradient).
/// </summary>
[Config(typeof(Config))]
public class GemmBenchmarks : IFlopCount
{
    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new GflopsColumn());
    }

    /// <summary>name: M x N x K with op(A), op(B).</summary>
    public static IEnumerable<string> Shapes =>
    [
        "256x256x256 NN",
        "512x512x512 NN",
        "1024x1024x1024 NN",
        "64x128x5760 NT",   // cnn Dense(128) forward: x (64, 5760) · Wᵀ
        "128x5760x64 TN",   // its weight gradient: dyᵀ (128, 64) · x (64, 5760)
        "64x5x128 NT",      // Dense(5) forward
    ];

    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "256x256x256 NN";

    /// <summary>Backends present, and OpenBLAS; <c>ECG_BENCH_TARGETS=cpu,openblas</c> narrows the list.</summary>
    public static IEnumerable<string> Targets => BenchBackends.Filter(BenchBackends.Available().Concat(OpenBlas.IsAvailable ? ["openblas"] : []));

    [ParamsSource(nameof(Targets))]
    public string Target { get; set; } = "cpu";

    private int _m, _n, _k;
    private bool _ta, _tb;
    private Accelerator? _acc;
    private DeviceBuffer<float>? _a, _b, _c;
    private float[] _ha = [], _hb = [], _hc = [];

    private void Parse(string shape)
    {
        var parts = shape.Split(' ');
        var dims = parts[0].Split('x').Select(int.Parse).ToArray();
        (_m, _n, _k) = (dims[0], dims[1], dims[2]);
        (_ta, _tb) = (parts[1][0] == 'T', parts[1][1] == 'T');
    }

    public double Flops(BenchmarkCase benchmarkCase)
    {
        Parse((string)benchmarkCase.Parameters["Shape"]);
        return 2.0 * _m * _n * _k;
    }

    [GlobalSetup]
    public void Setup()
    {
        Parse(Shape);
        var rng = new Random(1);
        _ha = KernelChecks.RandomFloats(rng, (long)_m * _k);
        _hb = KernelChecks.RandomFloats(rng, (long)_k * _n);
        _hc = new float[_m * _n];
        if (Target == "openblas") return;
        _acc = BenchBackends.Open(Target);
        _a = _acc.Upload<float>(_ha);
        _b = _acc.Upload<float>(_hb);
        _c = _acc.Allocate<float>(_hc.Length);
        Run(); // compile and warm
    }

    [Benchmark]
    public unsafe void Sgemm()
    {
        if (Target != "openblas") { Run(); return; }
        fixed (float* a = _ha) fixed (float* b = _hb) fixed (float* c = _hc)
            OpenBlas.cblas_sgemm(OpenBlas.RowMajor, _ta ? OpenBlas.Trans : OpenBlas.NoTrans, _tb ? OpenBlas.Trans : OpenBlas.NoTrans,
                _m, _n, _k, 1f, a, _ta ? _m : _k, b, _tb ? _k : _n, 0f, c, _n);
    }

    private void Run()
    {
        Kernels.Gemm.Run(_ta, _tb, _m, _n, _k, 1f, _a!, _b!, 0f, _c!);
        _acc!.Synchronize();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _a?.Dispose(); _b?.Dispose(); _c?.Dispose(); _acc?.Dispose();
    }
}
