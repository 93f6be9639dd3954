using EcgGpu.Kernels;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using EcgGpu.Runtime;

namespace EcgGpu.Benchmarks;

/// <summary>The GB/s column for the memory-bound kernels below.</summary>
public sealed class BandwidthConfig : ManualConfig
{
    public BandwidthConfig() => AddColumn(new GbpsColumn());
}

/// <summary>Shared set-up: one accelerator per backend parameter.</summary>
public abstract class BackendBenchmark
{
    public static IEnumerable<string> Backends => BenchBackends.Filter(BenchBackends.Available());

    [ParamsSource(nameof(Backends))]
    public string Backend { get; set; } = "cpu";

    protected Accelerator Acc { get; private set; } = null!;
    private readonly List<DeviceMemory> _buffers = new();

    protected void Open() => Acc = BenchBackends.Open(Backend);

    protected DeviceBuffer<T> Keep<T>(DeviceBuffer<T> buffer) where T : unmanaged
    {
        _buffers.Add(buffer);
        return buffer;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var b in _buffers) b.Dispose();
        _buffers.Clear();
        Acc?.Dispose();
    }
}

/// <summary>Fused softmax cross-entropy (loss per row and gradient of the mean) over 5 classes: a training batch, and an evaluation-sized one.</summary>
[Config(typeof(BandwidthConfig))]
public class SoftmaxCrossEntropyBenchmarks : BackendBenchmark, IByteCount
{
    [Params(64, 65536)]
    public int Rows { get; set; } = 64;

    private const int Classes = 5;
    private DeviceBuffer<float>? _logits, _loss, _grad;
    private DeviceBuffer<int>? _labels;

    // logits read, labels read, row losses and the gradient written.
    public double Bytes(BenchmarkCase c) => (int)c.Parameters["Rows"] * (Classes * 4.0 + 4 + 4 + Classes * 4);

    [GlobalSetup]
    public void Setup()
    {
        Open();
        var rng = new Random(1);
        _logits = Keep(Acc.Upload<float>(KernelChecks.RandomFloats(rng, (long)Rows * Classes, 3f)));
        _labels = Keep(Acc.Upload<int>(Enumerable.Range(0, Rows).Select(_ => rng.Next(Classes)).ToArray()));
        _loss = Keep(Acc.Allocate<float>(Rows));
        _grad = Keep(Acc.Allocate<float>((long)Rows * Classes));
        CrossEntropy();
    }

    [Benchmark]
    public void CrossEntropy()
    {
        Softmax.CrossEntropy(Rows, Classes, _logits!, _labels!, null, _loss!, _grad!);
        Acc.Synchronize();
    }
}

/// <summary>One Adam step over the parameters of kachuee (55,013) and cnn (763,013).</summary>
[Config(typeof(BandwidthConfig))]
public class AdamBenchmarks : BackendBenchmark, IByteCount
{
    [Params(55_013, 763_013)]
    public int Parameters { get; set; } = 55_013;

    private DeviceBuffer<float>? _p, _g, _m, _v;
    private int _step;

    // p, g, m, v read; p, m, v written.
    public double Bytes(BenchmarkCase c) => (int)c.Parameters["Parameters"] * 7.0 * 4;

    [GlobalSetup]
    public void Setup()
    {
        Open();
        var rng = new Random(1);
        _p = Keep(Acc.Upload<float>(KernelChecks.RandomFloats(rng, Parameters)));
        _g = Keep(Acc.Upload<float>(KernelChecks.RandomFloats(rng, Parameters)));
        _m = Keep(Acc.Allocate<float>(Parameters));
        _v = Keep(Acc.Allocate<float>(Parameters));
        _m.Fill(0f);
        _v.Fill(0f);
        Step();
    }

    [Benchmark]
    public void Step()
    {
        Adam.Step(_p!, _g!, _m!, _v!, new AdamSettings(), ++_step);
        Acc.Synchronize();
    }
}

/// <summary>Fit's per-step batch gather: 64 shuffled rows of 187 samples and their labels out of the 87,554-beat training set.</summary>
[Config(typeof(BandwidthConfig))]
public class GatherBenchmarks : BackendBenchmark, IByteCount
{
    private const int TrainingRows = 87_554, Width = 187, Batch = 64;
    private DeviceBuffer<float>? _x, _batch;
    private DeviceBuffer<int>? _y, _index, _labels;
    private int _offset;

    // rows and labels read and written, the index read.
    public double Bytes(BenchmarkCase c) => Batch * (Width * 8.0 + 8 + 4);

    [GlobalSetup]
    public void Setup()
    {
        Open();
        var rng = new Random(1);
        _x = Keep(Acc.Upload<float>(KernelChecks.RandomFloats(rng, (long)TrainingRows * Width)));
        _y = Keep(Acc.Upload<int>(Enumerable.Range(0, TrainingRows).Select(_ => rng.Next(5)).ToArray()));
        var order = Enumerable.Range(0, TrainingRows).ToArray();
        rng.Shuffle(order);
        _index = Keep(Acc.Upload<int>(order));
        _batch = Keep(Acc.Allocate<float>(Batch * Width));
        _labels = Keep(Acc.Allocate<int>(Batch));
        Batch64();
    }

    [Benchmark]
    public void Batch64()
    {
        _offset = (_offset + Batch) % (TrainingRows - Batch);
        Gather.Rows(Batch, Width, _x!, _index!, _batch!, _offset);
        Gather.Ints(Batch, _y!, _index!, _labels!, _offset);
        Acc.Synchronize();
    }
}

/// <summary>Information gain of all 187 columns of the 87,554-beat training set: binning (64 bins) and the class histograms.</summary>
[Config(typeof(BandwidthConfig))]
public class InfoGainBenchmarks : BackendBenchmark, IByteCount
{
    private const int Rows = 87_554, Features = 187, Bins = 64, Classes = 5;
    private DeviceBuffer<float>? _x, _gain;
    private DeviceBuffer<int>? _labels, _binned;

    // Bin: x read, bins written; histograms: bins and labels read.
    public double Bytes(BenchmarkCase c) => (double)Rows * Features * (4 + 4 + 4) + Rows * 4.0;

    [GlobalSetup]
    public void Setup()
    {
        Open();
        var rng = new Random(1);
        _x = Keep(Acc.Upload<float>(KernelChecks.RandomFloats(rng, (long)Rows * Features)));
        _labels = Keep(Acc.Upload<int>(Enumerable.Range(0, Rows).Select(_ => rng.Next(Classes)).ToArray()));
        _binned = Keep(Acc.Allocate<int>((long)Rows * Features));
        _gain = Keep(Acc.Allocate<float>(Features));
        BinAndGain();
    }

    [Benchmark]
    public void BinAndGain()
    {
        InfoGain.Bin(Rows, Features, Bins, _x!, _binned!);
        InfoGain.FromBinned(Rows, Features, Bins, Classes, _binned!, _labels!, _gain!);
        Acc.Synchronize();
    }
}

/// <summary>cnn's first Dropout(0.5) and MaxPool(2) on (64, 64, 185), and kachuee's MaxPool(5, 2) on (64, 32, 187).</summary>
[Config(typeof(BandwidthConfig))]
public class DropoutPoolBenchmarks : BackendBenchmark, IByteCount
{
    private const int Batch = 64;
    private DeviceBuffer<float>? _x, _y, _mask, _pooled, _x2, _pooled2;
    private DeviceBuffer<int>? _argmax, _argmax2;
    private const int CnnRows = Batch * 64, CnnLength = 185, KachueeRows = Batch * 32, KachueeLength = 187;

    public double Bytes(BenchmarkCase c) => c.Descriptor.WorkloadMethod.Name switch
    {
        nameof(DropoutForward) => CnnRows * CnnLength * 12.0,                                              // x read, y and mask written
        nameof(MaxPoolCnn) => CnnRows * (CnnLength * 4.0 + Pool.OutputLength(CnnLength, 2, 2) * 8.0), // x read, y and argmax written
        _ => KachueeRows * (KachueeLength * 4.0 + Pool.OutputLength(KachueeLength, 5, 2) * 8.0),
    };

    [GlobalSetup]
    public void Setup()
    {
        Open();
        var rng = new Random(1);
        _x = Keep(Acc.Upload<float>(KernelChecks.RandomFloats(rng, (long)CnnRows * CnnLength)));
        _y = Keep(Acc.Allocate<float>((long)CnnRows * CnnLength));
        _mask = Keep(Acc.Allocate<float>((long)CnnRows * CnnLength));
        _pooled = Keep(Acc.Allocate<float>((long)CnnRows * Pool.OutputLength(CnnLength, 2, 2)));
        _argmax = Keep(Acc.Allocate<int>((long)CnnRows * Pool.OutputLength(CnnLength, 2, 2)));
        _x2 = Keep(Acc.Upload<float>(KernelChecks.RandomFloats(rng, (long)KachueeRows * KachueeLength)));
        _pooled2 = Keep(Acc.Allocate<float>((long)KachueeRows * Pool.OutputLength(KachueeLength, 5, 2)));
        _argmax2 = Keep(Acc.Allocate<int>((long)KachueeRows * Pool.OutputLength(KachueeLength, 5, 2)));
        DropoutForward(); MaxPoolCnn(); MaxPoolKachuee();
    }

    [Benchmark]
    public void DropoutForward()
    {
        Dropout.Forward(0.5f, 42, 7, _x!, _y!, _mask!);
        Acc.Synchronize();
    }

    [Benchmark]
    public void MaxPoolCnn()
    {
        Pool.MaxForward(CnnRows, CnnLength, 2, 2, _x!, _pooled!, _argmax!);
        Acc.Synchronize();
    }

    [Benchmark]
    public void MaxPoolKachuee()
    {
        Pool.MaxForward(KachueeRows, KachueeLength, 5, 2, _x2!, _pooled2!, _argmax2!);
        Acc.Synchronize();
    }
}
