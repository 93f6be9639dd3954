using EcgGpu.Kernels;
using Dropout = EcgGpu.Nn.Layers.Dropout;
using EcgGpu.Nn.Layers;

namespace EcgGpu.Nn;

/// <summary>
/// The reference architectures of ../shared/DESIGN.md by name. Each returns an uncompiled model whose
/// last layer gives 5 logits. Beat models take 187 samples; the "-ig"/lstm/cnn-lstm models take the
/// 60 highest-information-gain samples.
/// </summary>
public static class Zoo
{
    public const int BeatLength = 187;
    public const int SelectedFeatures = 60;
    public const int Classes = 5;

    /// <summary>The nine seed architectures: single-input models of the beat (or its selected samples).</summary>
    public static IReadOnlyList<string> Names { get; } = ["cnn", "cnn-gap", "lstm2", "gru2", "rnn-attention", "cnn-ig", "lstm", "cnn-lstm", "kachuee"];

    /// <summary>Two-input models: the beat and its RR-interval features (<c>RrFeatures.ModelColumns</c> in EcgGpu.Data).</summary>
    public static IReadOnlyList<string> RrNames { get; } = ["cnn-rr", "kachuee-rr"];

    /// <summary>Every model <see cref="Create"/> knows.</summary>
    public static IReadOnlyList<string> AllNames { get; } = [.. Names, .. RrNames];

    /// <summary>RR features a model takes after the beat in each input row: the five per-record ratios for the <c>-rr</c> models, else 0.</summary>
    public static int RrInputs(string name) => name.EndsWith("-rr", StringComparison.Ordinal) ? RrModelFeatures : 0;

    /// <summary>The RR features of the <c>-rr</c> models: pre/local, post/local, pre/record, post/record, local/record.</summary>
    public const int RrModelFeatures = 5;

    /// <summary>The number of input values a model expects per row (the beat or its selected samples, then its RR features).</summary>
    public static int InputLength(string name) => (name is "cnn-ig" or "lstm" or "cnn-lstm" ? SelectedFeatures : BeatLength) + RrInputs(name);

    public static Sequential Create(string name) => name switch
    {
        "cnn" => new Sequential(name, [BeatLength],
            new Conv1D(64, 3, Activation.Relu), new MaxPooling1D(2), new Dropout(0.5f),
            new Conv1D(128, 3, Activation.Relu), new MaxPooling1D(2), new Dropout(0.5f),
            new Flatten(), new Dense(128, Activation.Relu), new Dropout(0.5f), new Dense(Classes)),
        "cnn-gap" => new Sequential(name, [BeatLength],
            new Conv1D(64, 3, Activation.Relu), new MaxPooling1D(2), new Dropout(0.3f),
            new Conv1D(128, 5, Activation.Relu), new MaxPooling1D(2), new Dropout(0.3f),
            new Conv1D(256, 3, Activation.Relu), new GlobalAveragePooling1D(),
            new Dense(128, Activation.Relu, l2: 0.01f), new Dropout(0.4f), new Dense(Classes)),
        "lstm2" => new Sequential(name, [BeatLength],
            new LSTM(128, returnSequences: true), new Dropout(0.2f), new LSTM(64), new Dropout(0.2f), new Dense(Classes)),
        "gru2" => new Sequential(name, [BeatLength],
            new GRU(64, returnSequences: true, relu: true), new Dropout(0.3f), new GRU(128, relu: true), new Dropout(0.3f),
            new Dense(128, Activation.Relu), new Dropout(0.3f), new Dense(Classes)),
        "rnn-attention" => new Sequential(name, [BeatLength],
            new SimpleRNN(128, returnSequences: true), new SelfAttention(), new Flatten(),
            new Dense(64, Activation.Relu), new Dropout(0.5f), new Dense(Classes)),
        "cnn-ig" => new Sequential(name, [SelectedFeatures],
            new Conv1D(32, 3, Activation.Relu), new MaxPooling1D(2), new Flatten(),
            new Dense(128, Activation.Relu), new Dropout(0.5f), new Dense(Classes)),
        "lstm" => new Sequential(name, [SelectedFeatures],
            new LSTM(64), new Dense(64, Activation.Relu), new Dropout(0.5f), new Dense(Classes)),
        "cnn-lstm" => new Sequential(name, [SelectedFeatures],
            new Conv1D(32, 3, Activation.Relu), new MaxPooling1D(2), new Permute(), new LSTM(64),
            new Dense(64, Activation.Relu), new Dropout(0.5f), new Dense(Classes)),
        // Kachuee et al. 2018: Conv(32, 5), five residual units, Dense(32, relu), Dense(32), Dense(5).
        "kachuee" => new Sequential(name, [BeatLength],
            new Conv1D(32, 5, Activation.Identity, Padding.Same),
            new ResidualBlock(), new ResidualBlock(), new ResidualBlock(), new ResidualBlock(), new ResidualBlock(),
            new Flatten(), new Dense(32, Activation.Relu), new Dense(32), new Dense(Classes)),
        // The seeds' cnn and Kachuee's network with the RR features, standardised by a BatchNormalization, joined to the
        // flattened beat features before the dense head.
        "cnn-rr" => new Sequential(name, [BeatLength + RrModelFeatures],
            new ConcatenateFeatures(RrModelFeatures,
                [new Conv1D(64, 3, Activation.Relu), new MaxPooling1D(2), new Dropout(0.5f),
                 new Conv1D(128, 3, Activation.Relu), new MaxPooling1D(2), new Dropout(0.5f), new Flatten()],
                [new BatchNormalization()]),
            new Dense(128, Activation.Relu), new Dropout(0.5f), new Dense(Classes)),
        "kachuee-rr" => new Sequential(name, [BeatLength + RrModelFeatures],
            new ConcatenateFeatures(RrModelFeatures,
                [new Conv1D(32, 5, Activation.Identity, Padding.Same),
                 new ResidualBlock(), new ResidualBlock(), new ResidualBlock(), new ResidualBlock(), new ResidualBlock(), new Flatten()],
                [new BatchNormalization()]),
            new Dense(32, Activation.Relu), new Dense(32), new Dense(Classes)),
        _ => throw new ArgumentException($"unknown model '{name}'; known: {string.Join(", ", AllNames)}", nameof(name)),
    };
}
