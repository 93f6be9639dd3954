using EcgGpu.Kernels;
using System.Diagnostics;

namespace EcgGpu.Nn;

public sealed partial class Sequential
{
    /// <summary>
    /// Runs <paramref name="steps"/> training steps as <see cref="Fit"/> does (gather, forward, loss,
    /// backward, optimiser) after <paramref name="warmup"/> untimed ones, synchronising after every
    /// phase so that each is timed alone. The weights change as in training. The sum of the phases is a
    /// little above a free-running step, since the queue is drained between them.
    /// </summary>
    public StepProfile ProfileSteps(LabeledRows data, int steps = 20, int warmup = 3)
    {
        var acc = Accelerator ?? throw new InvalidOperationException("compile the model before profiling");
        if (steps < 1 || warmup < 0) throw new ArgumentOutOfRangeException(nameof(steps), "steps must be at least 1 and warm-up steps not negative");
        data.Validate(InputWidth, Classes, "profiling data");
        if (data.Rows == 0) throw new ArgumentException("profiling data is empty");
        acc.Synchronize();
        acc.Memory.ResetPeak();
        using var x = acc.Upload<float>(data.X);
        using var y = acc.Upload<int>(data.Y);
        using var index = acc.Allocate<int>(data.Rows);
        long dataBytes = x.ByteLength + y.ByteLength + index.ByteLength;
        using var step = new StepBuffers(this);
        var order = Enumerable.Range(0, data.Rows).ToArray();
        new Random(1).Shuffle(order);
        index.Upload(order);
        var parameters = Parameters.Where(p => p.Trainable).ToList();
        var forward = new double[_layers.Count];
        var backward = new double[_layers.Count];
        double gather = 0, loss = 0, optimizer = 0, total = 0;
        long allocationsAtStart = 0;
        var clock = new Stopwatch();
        double Lap()
        {
            acc.Synchronize();
            double ms = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            return ms;
        }
        for (int s = 0; s < warmup + steps; s++)
        {
            bool timed = s >= warmup;
            if (s == warmup) allocationsAtStart = acc.Memory.Allocations;
            int start = (int)((long)s * BatchSize % data.Rows);
            int n = Math.Min(BatchSize, data.Rows - start);
            var stepClock = Stopwatch.StartNew();
            clock.Restart();
            Gather.Rows(n, InputWidth, x, index, step.X, start);
            Gather.Ints(n, y, index, step.Y, start);
            double t = Lap(); if (timed) gather += t;
            var h = step.X;
            for (int i = 0; i < _layers.Count; i++)
            {
                h = _layers[i].Forward(h, n, training: true);
                t = Lap(); if (timed) forward[i] += t;
            }
            ScoreBatch(step, h, n, null);
            _ = step.LossSum.ToArray();
            t = Lap(); if (timed) loss += t;
            var d = step.DLogits;
            for (int i = _layers.Count - 1; i >= 0; i--)
            {
                d = _layers[i].Backward(d, n);
                t = Lap(); if (timed) backward[i] += t;
            }
            Update(parameters);
            t = Lap(); if (timed) optimizer += t;
            if (timed) total += stepClock.Elapsed.TotalMilliseconds;
        }
        long allocations = acc.Memory.Allocations - allocationsAtStart;
        long peak = acc.Memory.PeakBytes;
        var layers = _layers.Select((l, i) => new LayerTiming(l.Name, l.TypeName, forward[i] / steps, backward[i] / steps)).ToList();
        return new StepProfile(layers, gather / steps, loss / steps, optimizer / steps, total / steps, peak, dataBytes, allocations, steps);
    }
}
