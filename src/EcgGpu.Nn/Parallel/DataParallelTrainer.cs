using System.Diagnostics;
using System.Numerics.Tensors;
using EcgGpu.Runtime;
using Dropout = EcgGpu.Nn.Layers.Dropout;

namespace EcgGpu.Nn.Parallel;

/// <summary>
/// The per-step work of <see cref="DataParallel"/> inside <see cref="Sequential.Fit"/>: the state broadcast, the
/// shard of each batch, the host-staged gradient Allreduce and the throughput windows that size the shards.
/// Gradients go to the host, through MPI and back (one buffer per step); see the README on NCCL for the device path.
/// </summary>
internal sealed class DataParallelTrainer : IDisposable
{
    private readonly Sequential _model;
    private readonly DataParallel _options;
    private readonly ICollectives _group;
    private readonly List<Parameter> _trainable, _moving;
    private readonly List<Dropout> _dropouts;
    private readonly Accelerator _accelerator;
    /// <summary>Gradients of the trainable parameters, then the moving statistics, then the step's loss sum.</summary>
    private readonly float[] _exchange;
    private readonly double[] _window, _total;
    private long _stepStarted, _computeDone;
    private int _count, _globalSteps, _windowSteps, _windowsClosed;
    private double _stagingSeconds, _allreduceSeconds;

    public DataParallelTrainer(Sequential model, DataParallel options)
    {
        _model = model;
        _options = options;
        _group = options.Collectives;
        if (_group.Size < 1 || (uint)_group.Rank >= (uint)_group.Size) throw new ArgumentException($"rank {_group.Rank} of {_group.Size} is not a valid group position");
        _accelerator = model.Accelerator!;
        _trainable = model.Parameters.Where(p => p.Trainable).ToList();
        _moving = model.Parameters.Where(p => !p.Trainable).ToList();
        _dropouts = model.Layers.OfType<Dropout>().ToList();
        _exchange = new float[_trainable.Sum(p => p.Length) + _moving.Sum(p => p.Length) + 1];
        _window = new double[FiguresPerRank * _group.Size];
        _total = new double[_window.Length];
    }

    private const int FiguresPerRank = 6;   // rows, compute, staging, allreduce, step seconds, steps

    public int Rank => _group.Rank;

    /// <summary>Every rank takes rank 0's weights, optimiser state, learning rate and dropout streams.</summary>
    public void SynchroniseState(int epoch)
    {
        _group.Phase = $"epoch {epoch}, state broadcast from rank 0";
        var optimizer = _model.Optimizer!;
        foreach (var p in _trainable) optimizer.EnsureState(p);
        var buffers = _model.Parameters.SelectMany(p => new[] { p.Value, p.M, p.V }).OfType<DeviceBuffer<float>>().ToList();
        var host = new float[buffers.Sum(b => b.Length) + 1 + 2 + _dropouts.Count * 6];
        int at = 0;
        foreach (var b in buffers) { b.Download(host.AsSpan(at, (int)b.Length)); at += (int)b.Length; }
        host[at++] = optimizer.LearningRate;
        at = Pack((uint)optimizer.Iterations, host, at);
        foreach (var d in _dropouts)
        {
            at = Pack((uint)d.Seed, host, at);
            at = Pack((uint)(d.Seed >> 32), host, at);
            at = Pack(d.Step, host, at);
        }
        _group.Broadcast(host, root: 0);
        if (Rank == 0) return;
        at = 0;
        foreach (var b in buffers) { b.Upload(host.AsSpan(at, (int)b.Length)); at += (int)b.Length; }
        optimizer.LearningRate = host[at++];
        optimizer.RestoreIterations((int)Unpack(host, ref at));
        foreach (var d in _dropouts)
        {
            ulong low = Unpack(host, ref at), high = Unpack(host, ref at);
            d.Seed = low | (high << 32);
            d.Step = Unpack(host, ref at);
        }
    }

    /// <summary>This rank's rows of a batch of <paramref name="rows"/>.</summary>
    public (int Offset, int Count) Shard(int rows) => _options.Plan.For(Rank, rows);

    /// <summary>Starts a step's clock and places this rank's dropout masks at its shard's rows of the batch.</summary>
    public void BeginStep(int epoch, int step, int offset, int count)
    {
        _group.Phase = $"epoch {epoch}, step {step + 1}";
        _count = count;
        foreach (var d in _dropouts) d.FirstRow = offset;
        _stepStarted = Stopwatch.GetTimestamp();
    }

    /// <summary>A rank whose shard of this (short, last) batch is empty still takes part: no gradient, no loss, and its dropout streams advance as the others' do.</summary>
    public void SkipCompute(DeviceBuffer<float> lossSum)
    {
        foreach (var p in _trainable) p.Grad.Fill(0f);
        lossSum.Fill(0f);
        foreach (var d in _dropouts) d.Step++;
    }

    /// <summary>
    /// Replaces every rank's shard gradients by the gradient of the batch's mean loss (each shard's mean-loss gradient
    /// weighted by its share <c>count / rows</c>, summed over ranks) and <paramref name="lossSum"/> by the batch's loss sum.
    /// </summary>
    public void ExchangeGradients(DeviceBuffer<float> lossSum, int rows)
    {
        _accelerator.Synchronize();
        _computeDone = Stopwatch.GetTimestamp();
        int at = 0;
        foreach (var p in _trainable) { p.Grad.Download(_exchange.AsSpan(at, (int)p.Length)); at += (int)p.Length; }
        foreach (var p in _moving) { p.Value.Download(_exchange.AsSpan(at, (int)p.Length)); at += (int)p.Length; }
        lossSum.Download(_exchange.AsSpan(at, 1));
        float share = rows == 0 ? 0f : (float)_count / rows;
        TensorPrimitives.Multiply(_exchange.AsSpan(0, at), share, _exchange.AsSpan(0, at));
        long staged = Stopwatch.GetTimestamp();

        _group.AllreduceSum(_exchange);
        long reduced = Stopwatch.GetTimestamp();

        at = 0;
        foreach (var p in _trainable) { p.Grad.Upload(_exchange.AsSpan(at, (int)p.Length)); at += (int)p.Length; }
        foreach (var p in _moving) { p.Value.Upload(_exchange.AsSpan(at, (int)p.Length)); at += (int)p.Length; }
        lossSum.Upload(_exchange.AsSpan(at, 1));
        _stagingSeconds = Stopwatch.GetElapsedTime(_computeDone, staged).TotalSeconds + Stopwatch.GetElapsedTime(reduced).TotalSeconds;
        _allreduceSeconds = Stopwatch.GetElapsedTime(staged, reduced).TotalSeconds;
    }

    /// <summary>Ends a step: adds its figures to the window, and at the window's end measures and perhaps re-sizes the shards.</summary>
    public void EndStep()
    {
        _accelerator.Synchronize();
        double compute = _options.ComputeSecondsModel is { } model ? model(_count) : Stopwatch.GetElapsedTime(_stepStarted, _computeDone).TotalSeconds;
        double step = Stopwatch.GetElapsedTime(_stepStarted).TotalSeconds;
        // The first step compiles kernels and warms caches: it says nothing about throughput.
        if (_globalSteps++ == 0) return;
        int at = FiguresPerRank * Rank;
        _window[at] += _count;
        _window[at + 1] += compute;
        _window[at + 2] += _stagingSeconds;
        _window[at + 3] += _allreduceSeconds;
        _window[at + 4] += step;
        _window[at + 5] += 1;
        // The first window is short (2 steps), so a slow device's shard shrinks early; later ones watch for drift.
        if (++_windowSteps < (_windowsClosed == 0 ? Math.Min(2, _options.WindowSteps) : _options.WindowSteps)) return;
        CloseWindow();
    }

    /// <summary>Sums this rank's correct predictions over ranks.</summary>
    public float SumOverRanks(float value)
    {
        Span<float> one = [value];
        _group.AllreduceSum(one);
        return one[0];
    }

    /// <summary>An even split of evaluation rows (no gradients, so no balancing needed).</summary>
    public (int Offset, int Count) EvaluationShard(int rows) => ShardPlan.Even(_group.Size).For(Rank, rows);

    /// <summary>After the last epoch: measures the last, partial window (a collective: every rank calls it).</summary>
    public void Finish()
    {
        if (_windowSteps > 0) CloseWindow(rebalance: false);
    }

    /// <summary>Puts the dropout layers back at row 0 (no collective, so it is safe when training failed).</summary>
    public void Dispose()
    {
        foreach (var d in _dropouts) d.FirstRow = 0;
    }

    private void CloseWindow(bool rebalance = true)
    {
        var figures = _window.Select(v => (float)v).ToArray();
        _group.Phase = "throughput measurement";
        _group.AllreduceSum(figures);
        for (int i = 0; i < figures.Length; i++) _total[i] += figures[i];
        _options.LastWindow = Figures(figures.Select(v => (double)v).ToArray());
        _options.Overall = Figures(_total);
        Array.Clear(_window);
        _windowSteps = 0;
        _windowsClosed++;
        if (rebalance && _options.Balance) Rebalance(_options.LastWindow);
    }

    /// <summary>
    /// Rank 0 decides from the window's throughputs and broadcasts the new shares, so every rank holds the same plan
    /// even if the Allreduce of timings were not bit-identical everywhere.
    /// </summary>
    private void Rebalance(IReadOnlyList<RankFigures> window)
    {
        var decision = new float[_group.Size + 1];
        if (Rank == 0)
        {
            var shares = _options.Plan.Shares;
            var speed = window.Select((f, r) => f.RowsPerSecond > 0 ? f.RowsPerSecond : shares[r]).ToArray();
            // Predicted seconds per step at the current shares; re-size when the slowest is too far above the mean.
            var predicted = shares.Select((s, r) => s / speed[r]).ToArray();
            bool drift = predicted.Max() > predicted.Average() * (1 + _options.RebalanceThreshold);
            decision[0] = drift ? 1f : 0f;
            double sum = speed.Sum();
            for (int r = 0; r < speed.Length; r++) decision[r + 1] = (float)(speed[r] / sum);
        }
        _group.Phase = "shard re-balance";
        _group.Broadcast(decision, root: 0);
        if (decision[0] == 0f) return;
        _options.Plan = new ShardPlan(decision.Skip(1).Select(v => Math.Max((double)v, 1e-3)).ToArray());
        _options.Rebalances++;
    }

    private IReadOnlyList<RankFigures> Figures(double[] sums) => Enumerable.Range(0, _group.Size).Select(r =>
    {
        int at = FiguresPerRank * r;
        double steps = Math.Max(1, sums[at + 5]);
        return new RankFigures(r, sums[at] / steps, sums[at + 1] / steps, sums[at + 2] / steps, sums[at + 3] / steps, sums[at + 4] / steps, (int)sums[at + 5]);
    }).ToList();

    /// <summary>A 32-bit integer as two 16-bit halves, each exact in a float.</summary>
    private static int Pack(uint value, float[] into, int at)
    {
        into[at] = value & 0xFFFF;
        into[at + 1] = value >> 16;
        return at + 2;
    }

    private static uint Unpack(float[] from, ref int at)
    {
        uint value = (uint)from[at] | ((uint)from[at + 1] << 16);
        at += 2;
        return value;
    }
}
