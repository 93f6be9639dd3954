using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>One compared output of one kernel case on one accelerator.</summary>
public sealed record CheckResult(string Family, string Case, string Output, int Count, double MaxAbsError, double MaxRelError, bool Passed, string? FirstMismatch)
{
    public override string ToString() => $"{Family,-12} {Case,-34} {Output,-8} n={Count,-8} abs={MaxAbsError:E2} rel={MaxRelError:E2} {(Passed ? "pass" : "FAIL " + FirstMismatch)}";
}

/// <summary>
/// Every kernel family run on an accelerator against its plain C# reference on several shapes,
/// including sizes that are no multiple of a tile or work-group and size 1. The same descriptors
/// serve the test suite and <c>ecg verify</c>.
/// </summary>
public static class KernelChecks
{
    /// <summary>The families, in the order they are reported.</summary>
    public static IReadOnlyList<string> Families { get; } = ["elementwise", "gemm", "conv1d", "pool", "dropout", "softmax", "adam", "gather", "reduce", "infogain", "lstm", "gru", "rnn", "attention", "batchnorm"];

    public static IEnumerable<CheckResult> Run(Accelerator acc, string family, int seed = 1234) => family switch
    {
        "elementwise" => ElementwiseChecks.Run(acc, new Random(seed)),
        "gemm" => GemmChecks.Run(acc, new Random(seed)),
        "conv1d" => Conv1dChecks.Run(acc, new Random(seed)),
        "pool" => PoolChecks.Run(acc, new Random(seed)),
        "batchnorm" => BatchNormChecks.Run(acc, new Random(seed)),
        "dropout" => DropoutChecks.Run(acc, new Random(seed)),
        "softmax" => SoftmaxChecks.Run(acc, new Random(seed)),
        "adam" => AdamChecks.Run(acc, new Random(seed)),
        "gather" => GatherChecks.Run(acc, new Random(seed)),
        "reduce" => ReduceChecks.Run(acc, new Random(seed)),
        "infogain" => InfoGainChecks.Run(acc, new Random(seed)),
        "lstm" => LstmChecks.Run(acc, new Random(seed)),
        "gru" => GruChecks.Run(acc, new Random(seed)),
        "rnn" => SimpleRnnChecks.Run(acc, new Random(seed)),
        "attention" => AttentionChecks.Run(acc, new Random(seed)),
        _ => throw new ArgumentException($"unknown kernel family '{family}'; known: {string.Join(", ", Families)}", nameof(family)),
    };

    public static IEnumerable<CheckResult> RunAll(Accelerator acc, int seed = 1234) => Families.SelectMany(f => Run(acc, f, seed));

    /// <summary>Compares with |a − e| ≤ atol + rtol·|e| (llm.c's rule) and keeps the first mismatch.</summary>
    public static CheckResult Compare(string family, string @case, string output, ReadOnlySpan<float> actual, ReadOnlySpan<double> expected, double atol = 1e-5, double rtol = 1e-4)
    {
        if (actual.Length < expected.Length)
            return new(family, @case, output, expected.Length, double.NaN, double.NaN, false, $"got {actual.Length} values, expected {expected.Length}");
        double maxAbs = 0, maxRel = 0;
        string? first = null;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i], d = Math.Abs(a - e);
            bool ok = d <= atol + rtol * Math.Abs(e) || (double.IsNaN(e) && double.IsNaN(a));
            if (double.IsNaN(d) && !ok) d = double.PositiveInfinity;
            maxAbs = Math.Max(maxAbs, d);
            if (Math.Abs(e) > atol) maxRel = Math.Max(maxRel, d / Math.Abs(e));
            if (!ok && first is null) first = $"[{i}] got {a:G9}, expected {e:G9}";
        }
        return new(family, @case, output, expected.Length, maxAbs, maxRel, first is null, first);
    }

    public static CheckResult Compare(string family, string @case, string output, ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, double atol = 0, double rtol = 0)
        => Compare(family, @case, output, actual, expected.ToArray().Select(v => (double)v).ToArray(), atol, rtol);

    /// <summary>Uniform values in [−scale, scale).</summary>
    public static float[] RandomFloats(Random rng, long n, float scale = 1f)
    {
        var v = new float[n];
        for (long i = 0; i < n; i++) v[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return v;
    }
}
