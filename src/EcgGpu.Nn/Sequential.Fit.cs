using EcgGpu.Kernels;
using System.Diagnostics;
using EcgGpu.Runtime;

namespace EcgGpu.Nn;

public sealed partial class Sequential
{
    /// <summary>
    /// Trains on <paramref name="train"/> for the epochs in <paramref name="options"/>, evaluating on
    /// <paramref name="validation"/> after each when given. The data set is uploaded once, each epoch's
    /// shuffled index once, batches are gathered on the device, and per step only the loss and the
    /// count of correct predictions come back.
    /// </summary>
    public History Fit(LabeledRows train, LabeledRows? validation = null, FitOptions? options = null,
        IReadOnlyList<ICallback>? callbacks = null, IProgress<EpochLog>? progress = null)
    {
        var acc = Accelerator ?? throw new InvalidOperationException("compile the model before Fit");
        options ??= new FitOptions();
        callbacks ??= [];
        train.Validate(InputWidth, Classes, "training data");
        validation?.Validate(InputWidth, Classes, "validation data");
        if (train.Rows == 0) throw new ArgumentException("training data is empty");
        using var x = acc.Upload<float>(train.X);
        using var y = acc.Upload<int>(train.Y);
        using var index = acc.Allocate<int>(train.Rows);
        using var step = new StepBuffers(this);
        using var classWeights = options.ClassWeights is null ? null : acc.Upload<float>(options.ClassWeights);
        using var valX = validation is null ? null : acc.Upload<float>(validation.X);
        using var valY = validation is null ? null : acc.Upload<int>(validation.Y);
        var history = new History();
        var rng = new Random(options.Seed);
        var order = Enumerable.Range(0, train.Rows).ToArray();
        var parameters = Parameters.Where(p => p.Trainable).ToList();
        int stepsPerEpoch = (train.Rows + BatchSize - 1) / BatchSize;
        using var stepLossBuffer = acc.Allocate<float>(stepsPerEpoch);
        using var parallel = options.DataParallel is { } dp ? new Parallel.DataParallelTrainer(this, dp) : null;
        foreach (var cb in callbacks) cb.OnTrainBegin(this);
        // A resumed run replays the shuffles of the epochs already done, so its batches are those of an uninterrupted run.
        for (int done = 0; done < options.InitialEpoch && options.Shuffle; done++) rng.Shuffle(order);
        for (int epoch = options.InitialEpoch + 1; epoch <= options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            parallel?.SynchroniseState(epoch);
            if (options.Shuffle) rng.Shuffle(order);
            index.Upload(order);
            step.Correct.Fill(0f);
            var losses = new StepLosses(this, acc, stepLossBuffer, epoch);
            for (int start = 0, s = 0; start < train.Rows; start += BatchSize, s++)
            {
                int n = Math.Min(BatchSize, train.Rows - start);
                // A data-parallel rank computes its shard of the batch; the Allreduce makes the batch's gradient of it.
                var (first, rows) = parallel?.Shard(n) ?? (0, n);
                parallel?.BeginStep(epoch, s, first, rows);
                if (rows > 0)
                {
                    Gather.Rows(rows, InputWidth, x, index, step.X, start + first);
                    Gather.Ints(rows, y, index, step.Y, start + first);
                    ScoreBatch(step, Forward(step.X, rows, training: true), rows, classWeights);
                    Backward(step.DLogits, rows);
                }
                else parallel!.SkipCompute(step.LossSum);
                parallel?.ExchangeGradients(step.LossSum, n);
                Update(parameters);
                parallel?.EndStep();
                // The step's loss stays on the device; reading it every step would wait for the GPU every step.
                stepLossBuffer.CopyFrom(step.LossSum, 0, s, 1);
                if (options.StepProgress is { } report && losses.ReportDue())
                {
                    losses.ReadThrough(s + 1);
                    report.Report(new StepProgress(epoch, start + n, train.Rows, losses.Sum / (start + n)));
                }
            }
            losses.ReadThrough(stepsPerEpoch);
            double epochLoss = losses.Sum;
            float correct = step.Correct.ToArray()[0];
            double accuracy = (parallel?.SumOverRanks(correct) ?? correct) / train.Rows;
            var val = validation is null ? null : EvaluateWith(validation.Rows, valX!, valY!, step, parallel);
            var log = new EpochLog(epoch, epochLoss / train.Rows, accuracy, val?.Loss, val?.Accuracy, Optimizer!.LearningRate, clock.Elapsed.TotalSeconds);
            history.Epochs.Add(log);
            progress?.Report(log);
            bool stop = false;
            foreach (var cb in callbacks) stop |= cb.OnEpochEnd(this, log, history);
            if (stop) break;
        }
        parallel?.Finish();
        foreach (var cb in callbacks) cb.OnTrainEnd(this, history);
        return history;
    }

    /// <summary>Mean loss and accuracy over <paramref name="data"/>, without dropout.</summary>
    public Evaluation Evaluate(LabeledRows data)
    {
        var acc = Accelerator ?? throw new InvalidOperationException("compile the model before Evaluate");
        data.Validate(InputWidth, Classes, "evaluation data");
        using var step = new StepBuffers(this);
        using var x = acc.Upload<float>(data.X);
        using var y = acc.Upload<int>(data.Y);
        return EvaluateWith(data.Rows, x, y, step);
    }

    /// <summary>Evaluates rows already on the device (Fit uploads its validation data once, not per epoch).</summary>
    /// <remarks>In data-parallel training each rank evaluates an even share of the rows and the sums are added over ranks.</remarks>
    private Evaluation EvaluateWith(int rows, Runtime.DeviceBuffer<float> x, Runtime.DeviceBuffer<int> y, StepBuffers step, Parallel.DataParallelTrainer? parallel = null)
    {
        step.Correct.Fill(0f);
        var (from, count) = parallel?.EvaluationShard(rows) ?? (0, rows);
        int steps = (count + BatchSize - 1) / BatchSize;
        using var lossBuffer = step.X.Accelerator.Allocate<float>(Math.Max(1, steps));
        for (int start = from, s = 0; start < from + count; start += BatchSize, s++)
        {
            int n = Math.Min(BatchSize, from + count - start);
            step.X.CopyFrom(x, (long)start * InputWidth, 0, (long)n * InputWidth);
            step.Y.CopyFrom(y, start, 0, n);
            ScoreBatch(step, Forward(step.X, n, training: false), n, null);
            lossBuffer.CopyFrom(step.LossSum, 0, s, 1);
        }
        // One read at the end: the losses are summed in double on the host in step order, as before.
        var losses = new float[steps];
        lossBuffer.Download(losses);
        double total = 0;
        foreach (var l in losses) total += l;
        float correct = step.Correct.ToArray()[0];
        if (parallel is not null) (total, correct) = (parallel.SumOverRanks((float)total), parallel.SumOverRanks(correct));
        return new Evaluation(total / Math.Max(1, rows), correct / Math.Max(1, rows), rows);
    }

    /// <summary>
    /// The per-step losses of one epoch, kept on the device and read back when a progress report is due (at most
    /// four times a second on a device; every step on the managed CPU backend, where reading costs nothing) and at
    /// the end of the epoch. They are summed in double on the host in step order, so the epoch loss is the same
    /// whenever it is read; a non-finite step loss stops training naming the step's rows.
    /// </summary>
    private sealed class StepLosses(Sequential model, Runtime.Accelerator acc, Runtime.DeviceBuffer<float> buffer, int epoch)
    {
        private readonly float[] _host = new float[buffer.Length];
        private readonly Stopwatch _sinceRead = Stopwatch.StartNew();
        private int _read;

        public double Sum { get; private set; }

        public bool ReportDue() => acc.Kind == Runtime.AcceleratorKind.Cpu || _sinceRead.ElapsedMilliseconds >= 250;

        public void ReadThrough(int steps)
        {
            if (steps <= _read) return;
            buffer.Download(_host.AsSpan(_read, steps - _read), _read);
            for (int s = _read; s < steps; s++)
            {
                float loss = _host[s];
                if (!float.IsFinite(loss))
                {
                    long first = (long)s * model.BatchSize;
                    throw new TrainingDivergedException($"model {model.Name}: the loss became {loss} in epoch {epoch} at rows {first}..{first + model.BatchSize - 1} (step {s + 1}); training stopped (lower the learning rate, or check the data for NaN)");
                }
                Sum += loss;
            }
            _read = steps;
            _sinceRead.Restart();
        }
    }

    /// <summary>Adds each parameter's L2 penalty gradient, then one optimiser step.</summary>
    private void Update(List<Parameter> parameters)
    {
        foreach (var p in parameters)
            if (p.L2 != 0f) Kernels.Elementwise.Axpby(2f * p.L2, p.Value, 1f, p.Grad);
        Optimizer!.Step(parameters);
    }

    /// <summary>Loss of the batch into LossSum, its gradient into DLogits, correct predictions added to Correct.</summary>
    private void ScoreBatch(StepBuffers step, Runtime.DeviceBuffer<float> logits, int n, Runtime.DeviceBuffer<float>? classWeights)
    {
        Softmax.CrossEntropy(n, Classes, logits, step.Y, classWeights, step.RowLoss, step.DLogits);
        Reduce.ArgmaxRows(n, Classes, logits, step.Predicted);
        Reduce.AccumulateEqual(n, step.Predicted, step.Y, step.Correct);
        Reduce.Sum(step.RowLoss, step.LossSum, n, step.Scratch);
    }

    /// <summary>The per-step buffers of training and evaluation, allocated once per Fit or Evaluate.</summary>
    private sealed class StepBuffers : IDisposable
    {
        public StepBuffers(Sequential m)
        {
            var acc = m.Accelerator!;
            X = acc.Allocate<float>((long)m.BatchSize * m.InputWidth);
            Y = acc.Allocate<int>(m.BatchSize);
            RowLoss = acc.Allocate<float>(m.BatchSize);
            DLogits = acc.Allocate<float>((long)m.BatchSize * m.Classes);
            Predicted = acc.Allocate<int>(m.BatchSize);
            LossSum = acc.Allocate<float>(1);
            Correct = acc.Allocate<float>(1);
            Scratch = acc.Allocate<float>(Reduce.ScratchLength(m.BatchSize));
        }

        public Runtime.DeviceBuffer<float> X { get; }
        public Runtime.DeviceBuffer<int> Y { get; }
        public Runtime.DeviceBuffer<float> RowLoss { get; }
        public Runtime.DeviceBuffer<float> DLogits { get; }
        public Runtime.DeviceBuffer<int> Predicted { get; }
        public Runtime.DeviceBuffer<float> LossSum { get; }
        public Runtime.DeviceBuffer<float> Correct { get; }
        public Runtime.DeviceBuffer<float> Scratch { get; }

        public void Dispose()
        {
            foreach (var b in new Runtime.DeviceMemory[] { X, Y, RowLoss, DLogits, Predicted, LossSum, Correct, Scratch }) b.Dispose();
        }
    }

    /// <summary>Copies of every parameter's value (to restore the best weights).</summary>
    internal List<float[]> SnapshotWeights() => Parameters.Select(p => p.Value.ToArray()).ToList();

    internal void RestoreWeights(List<float[]> snapshot)
    {
        int i = 0;
        foreach (var p in Parameters) p.Value.Upload(snapshot[i++]);
    }
}
