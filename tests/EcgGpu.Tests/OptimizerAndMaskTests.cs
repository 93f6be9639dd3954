using EcgGpu.Data;
using EcgGpu.Nn;
using EcgGpu.Nn.Layers;
using EcgGpu.Runtime.Cpu;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>AdamW's decoupled decay and attention's key mask, as a library user reaches them.</summary>
public class OptimizerAndMaskTests
{
    [Test]
    public void AdamW_is_adam_plus_decoupled_decay_of_the_weights()
    {
        using var acc = CpuAccelerator.Create();
        var rng = new Random(3);
        var data = new LabeledRows(Enumerable.Range(0, 8 * 4).Select(_ => (float)rng.NextDouble()).ToArray(), [0, 1, 2, 3, 4, 0, 1, 2], 4);
        float[] OneStep(Optimizer optimizer, out float[] before)
        {
            using var model = new Sequential("t", [4], new Dense(BeatFormat.Classes)).Compile(acc, optimizer, batchSize: 8, seed: 5);
            before = model.Parameters.First().Value.ToArray();
            model.Fit(data, options: new FitOptions(Epochs: 1, Shuffle: false));
            return model.Parameters.First().Value.ToArray();
        }
        var adam = OneStep(new AdamOptimizer(0.1f), out var p0);
        var adamW = OneStep(new AdamWOptimizer(0.1f, weightDecay: 0.5f), out _);
        // The same gradient and moments; AdamW first shrinks each weight by lr·decay.
        for (int i = 0; i < p0.Length; i++) Assert.That(adamW[i] - adam[i], Is.EqualTo(-0.1f * 0.5f * p0[i]).Within(1e-6f), $"weight {i}");
        Assert.That(() => new AdamWOptimizer(weightDecay: -1f), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Masked_keys_get_no_attention()
    {
        using var acc = CpuAccelerator.Create();
        const int n = 2, steps = 4, dim = 3;
        using var model = new Sequential("a", [steps, dim], new SelfAttention(), new Flatten(), new Dense(BeatFormat.Classes)).Compile(acc, batchSize: n);
        var attention = (SelfAttention)model.Layers[0];
        var x = Enumerable.Range(0, n * steps * dim).Select(i => MathF.Sin(i)).ToArray();
        using var mask = acc.Upload<float>([1, 1, 1, 0, 1, 1, 0, 0]);
        float[] Outputs(float[] input)
        {
            using var buffer = acc.Upload<float>(input);
            return attention.Forward(buffer, mask, n, training: false).ToArray();
        }
        var first = Outputs(x);
        // Changing a masked step changes only that step's own output row (its query), never what other steps attend to.
        var changed = (float[])x.Clone();
        for (int d = 0; d < dim; d++) { changed[(0 * steps + 3) * dim + d] += 5f; changed[(1 * steps + 2) * dim + d] -= 3f; }
        var second = Outputs(changed);
        foreach (var (b, q) in new[] { (0, 0), (0, 1), (0, 2), (1, 0), (1, 1) })
            for (int d = 0; d < dim; d++)
                Assert.That(second[(b * steps + q) * dim + d], Is.EqualTo(first[(b * steps + q) * dim + d]).Within(1e-6f), $"row {b}, step {q}");
        using var unmasked = acc.Upload<float>(changed);
        Assert.That(attention.Forward(unmasked, n, training: false).ToArray()[0], Is.Not.EqualTo(second[0]).Within(1e-6f), "without the mask step 3 is attended to");
    }
}
