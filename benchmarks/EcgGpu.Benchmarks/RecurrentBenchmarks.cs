using EcgGpu.Kernels;
using BenchmarkDotNet.Attributes;
using EcgGpu.Runtime;

namespace EcgGpu.Benchmarks;

/// <summary>
/// One training pass (forward + backward through time, weight and input gradients) of each seed
/// model's recurrent layers, batch 64 over 187 steps; beats per second = 64 / mean time.
/// benchmarks/pytorch/recurrent_bench.py times the same layers in PyTorch.
/// </summary>
public class RecurrentBenchmarks
{
    public static IEnumerable<string> Layers =>
    [
        "lstm 1->128",   // lstm2, first layer
        "lstm 128->64",  // lstm2, second layer
        "gru 1->64",     // gru2, first layer (relu candidate)
        "gru 64->128",   // gru2, second layer (relu candidate)
        "rnn 1->128",    // rnn-attention's SimpleRNN
    ];

    [ParamsSource(nameof(Layers))]
    public string Layer { get; set; } = "lstm 1->128";

    public static IEnumerable<string> Backends => BenchBackends.Filter(BenchBackends.Available());

    [ParamsSource(nameof(Backends))]
    public string Backend { get; set; } = "cpu";

    private const int Batch = 64, Steps = 187;
    private RecurrentShape _s;
    private Accelerator? _acc;
    private DeviceBuffer<float>? _x, _w, _u, _b, _br, _dh, _gw, _gu, _gb, _gbr, _gx;
    private RecurrentState? _state;
    private RecurrentWeights? _weights;
    private RecurrentGradients? _grads;

    public static RecurrentShape ShapeOf(string layer)
    {
        var parts = layer.Split(' ');
        var io = parts[1].Split("->").Select(int.Parse).ToArray();
        var cell = parts[0] switch { "lstm" => RecurrentCell.Lstm, "gru" => RecurrentCell.Gru, _ => RecurrentCell.SimpleRnn };
        return new RecurrentShape(Batch, Steps, io[0], io[1], cell, Relu: cell == RecurrentCell.Gru);
    }

    [GlobalSetup]
    public void Setup()
    {
        _s = ShapeOf(Layer);
        _acc = BenchBackends.Open(Backend);
        var (x, w, u, b, br, dh) = RecurrentChecks.RecurrentInputs(new Random(1), _s);
        _x = _acc.Upload<float>(x); _w = _acc.Upload<float>(w); _u = _acc.Upload<float>(u);
        _b = _acc.Upload<float>(b); _br = _acc.Upload<float>(br); _dh = _acc.Upload<float>(dh);
        _gw = _acc.Allocate<float>(w.Length); _gu = _acc.Allocate<float>(u.Length); _gb = _acc.Allocate<float>(b.Length);
        _gbr = _acc.Allocate<float>(br.Length); _gx = _acc.Allocate<float>(x.Length);
        _state = new RecurrentState(_acc, _s);
        _weights = new RecurrentWeights(_w, _u, _b, _br);
        _grads = new RecurrentGradients(_gw, _gu, _gb, _gbr, _gx);
        ForwardBackward();
    }

    [Benchmark]
    public void ForwardBackward()
    {
        Recurrent.Forward(_s, _x!, _weights!, _state!);
        Recurrent.Backward(_s, _x!, _weights!, _state!, _dh!, _grads!);
        _acc!.Synchronize();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _state?.Dispose();
        foreach (var b in new[] { _x, _w, _u, _b, _br, _dh, _gw, _gu, _gb, _gbr, _gx }) b?.Dispose();
        _acc?.Dispose();
    }
}

/// <summary>Keras Attention()([h, h]) of rnn-attention: (64, 187, 128), forward + backward.</summary>
public class AttentionBenchmarks
{
    public static IEnumerable<string> Backends => BenchBackends.Filter(BenchBackends.Available());

    [ParamsSource(nameof(Backends))]
    public string Backend { get; set; } = "cpu";

    private readonly AttentionShape _s = new(64, 187, 187, 128);
    private Accelerator? _acc;
    private DeviceBuffer<float>? _v, _weights, _out, _dOut, _dq, _dv, _scratch;

    [GlobalSetup]
    public void Setup()
    {
        _acc = BenchBackends.Open(Backend);
        var rng = new Random(1);
        _v = _acc.Upload<float>(KernelChecks.RandomFloats(rng, _s.ValueLength));
        _dOut = _acc.Upload<float>(KernelChecks.RandomFloats(rng, _s.QueryLength));
        _weights = _acc.Allocate<float>(_s.ScoreLength);
        _scratch = _acc.Allocate<float>(_s.ScoreLength);
        _out = _acc.Allocate<float>(_s.QueryLength);
        _dq = _acc.Allocate<float>(_s.QueryLength);
        _dv = _acc.Allocate<float>(_s.ValueLength);
        ForwardBackward();
    }

    [Benchmark]
    public void ForwardBackward()
    {
        Attention.Forward(_s, _v!, _v!, 1f, null, _weights!, _out!);
        Attention.Backward(_s, _v!, _v!, 1f, _weights!, _dOut!, _dq!, _dv!, _scratch!);
        _acc!.Synchronize();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var b in new[] { _v, _weights, _out, _dOut, _dq, _dv, _scratch }) b?.Dispose();
        _acc?.Dispose();
    }
}
