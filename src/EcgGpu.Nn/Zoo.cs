using EcgGpu.Data;
using EcgGpu.Kernels;
using Dropout = EcgGpu.Nn.Layers.Dropout;
using EcgGpu.Nn.Layers;

namespace EcgGpu.Nn;

/// <summary>
/// The reference architectures of ../shared/DESIGN.md by name. Each returns an uncompiled model whose
/// last layer gives a logit per beat class. Beat models take the whole beat; the "-ig"/lstm/cnn-lstm models take the
/// 60 highest-information-gain samples.
/// </summary>
public static class Zoo
{
    public const int SelectedFeatures = 60;

    /// <summary>The nine seed architectures: single-input models of the beat (or its selected samples).</summary>
    public static IReadOnlyList<string> Names { get; } = ["cnn", "cnn-gap", "lstm2", "gru2", "rnn-attention", "cnn-ig", "lstm", "cnn-lstm", "kachuee"];

    /// <summary>Two-input models: the beat and its RR-interval features (<see cref="RrFeatures.ModelColumns"/>).</summary>
    public static IReadOnlyList<string> RrNames { get; } = ["cnn-rr", "kachuee-rr"];

    /// <summary>Every model <see cref="Create"/> knows.</summary>
    public static IReadOnlyList<string> AllNames { get; } = [.. Names, .. RrNames];

    /// <summary>RR features a model takes after the beat in each input row: the five per-record ratios for the <c>-rr</c> models, else 0.</summary>
    public static int RrInputs(string name) => name.EndsWith("-rr", StringComparison.Ordinal) ? RrModelFeatures : 0;

    /// <summary>The RR features of the <c>-rr</c> models: pre/local, post/local, pre/record, post/record, local/record.</summary>
    public static int RrModelFeatures => RrFeatures.ModelColumns.Count;

    /// <summary>A comma-separated list of zoo models ("cnn, kachuee"), in order; unknown names and an empty list are refused.</summary>
    public static IReadOnlyList<string> ParseNames(string list)
    {
        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = names.Where(n => !AllNames.Contains(n)).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"unknown model(s) {string.Join(", ", unknown)}; known: {string.Join(", ", AllNames)}");
        if (names.Length == 0) throw new ArgumentException("the model list names no model");
        return names;
    }

    /// <summary>
    /// Whether the model reads the beat from its last sample to its first (the preprocessing reverses the columns;
    /// the layers are the seed's). lstm2 and gru2 run forward over a beat that starts at the R peak and ends in
    /// zero padding (median 74 samples on the shipped sample): after the zero tail the final state no longer depends on the
    /// QRS (zeroing its first 60 samples moves it by ~1e-9, PyTorch with Keras's initialisation) and the gradient
    /// reaching those samples is ~1e-17, so training sits at the majority class (seen here in 12 epochs on an
    /// H100 and in PyTorch for 20). Read backwards, the zero tail comes first, where the state stays at zero,
    /// and the beat's shape last. Keras offers the same as <c>go_backwards=True</c>; <c>--features all</c> keeps the seed's order.
    /// </summary>
    public static bool ReadsBeatBackwards(string name) => name is "lstm2" or "gru2";

    /// <summary>
    /// Whether the model takes the beat standardised per sample (StandardScaler fitted on the training beats,
    /// stored with the weights) instead of the raw 0–1 samples. cnn-gap averages its last 256 ReLU maps over the
    /// whole beat, so what every beat shares (the zero tail, the common shape after the R peak) dominates what
    /// reaches its head. On the shipped 2,500-beat sample, raw, it predicted only N for 22 epochs (a PyTorch
    /// replica with Keras's initialisation) and for all 10 of the README's run (ours); standardised it leaves
    /// the majority class after 5–6 epochs in the replica and 11 in ours (seed 1; 5–7 at learning rate 3e-3, seeds 1–3). The
    /// layers are the seed's.
    /// </summary>
    public static bool StandardisesBeat(string name) => name is "cnn-gap";

    /// <summary>
    /// The batch size, Adam learning rate and global gradient-norm clip (none when null) a model trains with unless
    /// told otherwise.
    /// </summary>
    public sealed record TrainingRecipe(int BatchSize, float LearningRate, float? ClipNorm = null);

    /// <summary>
    /// The batch size, learning rate and gradient clip <see cref="Create"/>'s model trains with by default: the notebooks'
    /// batch 64 and Adam 1e-3 without clipping, except cnn-gap at batch 32 and 3e-3. cnn-gap averages its last 256 maps over the whole
    /// beat and learns slowly: the notebook's full data gives 1,200 steps an epoch, the shipped 2,500-beat sample 35,
    /// and there at 64 and 1e-3 it still predicted only N after 10 epochs (seeds 1–3: accuracy 0.825–0.828, N's share;
    /// 0.835–0.846 in a test build without the L2 0.01 on its Dense(128), so that penalty is not the main cause).
    /// At 32 and 3e-3: 0.879–0.897, macro-F1 0.33–0.43 (seeds 1–3, CPU, 2026-11-23). rnn-attention clips its
    /// gradients to a global norm of 1 (Keras's <c>global_clipnorm</c>): its SimpleRNN over 187 steps feeds unscaled
    /// self-attention (Keras's <c>Attention()</c>, as the seed) and a 1.5 M-weight Dense. On the inter-patient
    /// split's DS1 (CPU, seed 1) unclipped its loss became NaN in the second epoch; clipped at 5 its training
    /// accuracy sat at N's share (0.898) for five epochs; clipped at 1 it reached 0.959 in two. On the shipped
    /// sample (seeds 1–3, CPU): unclipped 0.905, 0.826 (only N), 0.935; at 1 0.880, 0.839, 0.917. The layers are the seed's.
    /// </summary>
    public static TrainingRecipe Recipe(string name) => name switch
    {
        "cnn-gap" => new(32, 3e-3f),
        "rnn-attention" => new(64, 1e-3f, ClipNorm: 1f),
        _ => new(64, 1e-3f),
    };

    /// <summary>The number of input values a model expects per row (the beat or its selected samples, then its RR features).</summary>
    public static int InputLength(string name) => (name is "cnn-ig" or "lstm" or "cnn-lstm" ? SelectedFeatures : BeatFormat.Length) + RrInputs(name);

    public static Sequential Create(string name) => name switch
    {
        "cnn" => new Sequential(name, [BeatFormat.Length],
            new Conv1D(64, 3, Activation.Relu), new MaxPooling1D(2), new Dropout(0.5f),
            new Conv1D(128, 3, Activation.Relu), new MaxPooling1D(2), new Dropout(0.5f),
            new Flatten(), new Dense(128, Activation.Relu), new Dropout(0.5f), new Dense(BeatFormat.Classes)),
        "cnn-gap" => new Sequential(name, [BeatFormat.Length],
            new Conv1D(64, 3, Activation.Relu), new MaxPooling1D(2), new Dropout(0.3f),
            new Conv1D(128, 5, Activation.Relu), new MaxPooling1D(2), new Dropout(0.3f),
            new Conv1D(256, 3, Activation.Relu), new GlobalAveragePooling1D(),
            new Dense(128, Activation.Relu, l2: 0.01f), new Dropout(0.4f), new Dense(BeatFormat.Classes)),
        "lstm2" => new Sequential(name, [BeatFormat.Length],
            new LSTM(128, returnSequences: true), new Dropout(0.2f), new LSTM(64), new Dropout(0.2f), new Dense(BeatFormat.Classes)),
        "gru2" => new Sequential(name, [BeatFormat.Length],
            new GRU(64, returnSequences: true, relu: true), new Dropout(0.3f), new GRU(128, relu: true), new Dropout(0.3f),
            new Dense(128, Activation.Relu), new Dropout(0.3f), new Dense(BeatFormat.Classes)),
        "rnn-attention" => new Sequential(name, [BeatFormat.Length],
            new SimpleRNN(128, returnSequences: true), new SelfAttention(), new Flatten(),
            new Dense(64, Activation.Relu), new Dropout(0.5f), new Dense(BeatFormat.Classes)),
        "cnn-ig" => new Sequential(name, [SelectedFeatures],
            new Conv1D(32, 3, Activation.Relu), new MaxPooling1D(2), new Flatten(),
            new Dense(128, Activation.Relu), new Dropout(0.5f), new Dense(BeatFormat.Classes)),
        "lstm" => new Sequential(name, [SelectedFeatures],
            new LSTM(64), new Dense(64, Activation.Relu), new Dropout(0.5f), new Dense(BeatFormat.Classes)),
        "cnn-lstm" => new Sequential(name, [SelectedFeatures],
            new Conv1D(32, 3, Activation.Relu), new MaxPooling1D(2), new Permute(), new LSTM(64),
            new Dense(64, Activation.Relu), new Dropout(0.5f), new Dense(BeatFormat.Classes)),
        // Kachuee et al. 2018: Conv(32, 5), five residual units, Dense(32, relu), Dense(32), Dense(5).
        "kachuee" => new Sequential(name, [BeatFormat.Length],
            new Conv1D(32, 5, Activation.Identity, Padding.Same),
            new ResidualBlock(), new ResidualBlock(), new ResidualBlock(), new ResidualBlock(), new ResidualBlock(),
            new Flatten(), new Dense(32, Activation.Relu), new Dense(32), new Dense(BeatFormat.Classes)),
        // The seeds' cnn and Kachuee's network with the RR features, standardised by a BatchNormalization, joined to the
        // flattened beat features before the dense head.
        "cnn-rr" => new Sequential(name, [BeatFormat.Length + RrFeatures.ModelColumns.Count],
            new ConcatenateFeatures(RrFeatures.ModelColumns.Count,
                [new Conv1D(64, 3, Activation.Relu), new MaxPooling1D(2), new Dropout(0.5f),
                 new Conv1D(128, 3, Activation.Relu), new MaxPooling1D(2), new Dropout(0.5f), new Flatten()],
                [new BatchNormalization()]),
            new Dense(128, Activation.Relu), new Dropout(0.5f), new Dense(BeatFormat.Classes)),
        "kachuee-rr" => new Sequential(name, [BeatFormat.Length + RrFeatures.ModelColumns.Count],
            new ConcatenateFeatures(RrFeatures.ModelColumns.Count,
                [new Conv1D(32, 5, Activation.Identity, Padding.Same),
                 new ResidualBlock(), new ResidualBlock(), new ResidualBlock(), new ResidualBlock(), new ResidualBlock(), new Flatten()],
                [new BatchNormalization()]),
            new Dense(32, Activation.Relu), new Dense(32), new Dense(BeatFormat.Classes)),
        _ => throw new ArgumentException($"unknown model '{name}'; known: {string.Join(", ", AllNames)}", nameof(name)),
    };
}
