namespace EcgGpu.Data;

/// <summary>
/// Realistic five-class synthetic heartbeats, seedable: P, QRS and T waves as sums of Gaussians with
/// class-specific morphology and timing, noise and baseline wander, laid out as the Kaggle files are
/// (window from the R peak over 1.2 × the R-R interval, min-max normalised, zero-padded to 187).
/// N: normal P, narrow QRS, upright T. S: premature (short R-R), abnormal small P, narrow QRS.
/// V: no P, wide tall QRS, inverted T, compensatory pause. F: fusion, between N and V. Q: paced, a
/// pacing spike before a wide QRS.
/// </summary>
public static class SyntheticBeats
{
    private const int Length = BeatFormat.Length;
    private const double SampleRate = BeatFormat.SampleRate;

    /// <summary><paramref name="count"/> beats with the classes in proportion to <paramref name="classWeights"/> (default: balanced).</summary>
    public static BeatSet Generate(int count, int seed, double[]? classWeights = null)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count));
        var weights = classWeights ?? Enumerable.Repeat(1.0, BeatFormat.Classes).ToArray();
        if (weights.Length != BeatFormat.Classes || weights.Any(w => w < 0) || weights.Sum() <= 0) throw new ArgumentException($"{BeatFormat.Classes} non-negative class weights are needed", nameof(classWeights));
        var rng = new Random(seed);
        var samples = new float[count * Length];
        var labels = new int[count];
        double total = weights.Sum();
        for (int i = 0; i < count; i++)
        {
            // Stratified by construction: class by position in the cumulative weights, then shuffled below.
            double u = (i + 0.5) / count * total, acc = 0;
            int c = 0;
            while (c < BeatFormat.Classes - 1 && u > (acc += weights[c])) c++;
            labels[i] = c;
            Beat((BeatClass)c, rng, samples.AsSpan(i * Length, Length));
        }
        // Shuffle rows so that classes interleave.
        Span<float> tmp = stackalloc float[Length];
        for (int i = count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (labels[i], labels[j]) = (labels[j], labels[i]);
            var a = samples.AsSpan(i * Length, Length);
            var b = samples.AsSpan(j * Length, Length);
            a.CopyTo(tmp); b.CopyTo(a); tmp.CopyTo(b);
        }
        return new BeatSet(samples, labels);
    }

    private static double Jitter(Random rng, double value, double relative) => value * (1 + relative * (rng.NextDouble() * 2 - 1));

    private static void Beat(BeatClass c, Random rng, Span<float> row)
    {
        // R-R interval in seconds; the window spans 1.2 × R-R from the R peak (Kaggle extraction).
        double rr = c switch
        {
            BeatClass.S => Jitter(rng, 0.55, 0.12),
            BeatClass.V => Jitter(rng, 0.95, 0.12),
            _ => Jitter(rng, 0.8, 0.12),
        };
        double window = Math.Min(1.2 * rr, (Length - 1) / SampleRate);
        int used = (int)(window * SampleRate);
        // Waves: (amplitude, centre in s relative to the R peak, width in s). The next beat's P and QRS
        // appear near the end of the window, as in the real files.
        var waves = new List<(double A, double T, double W)>();
        double qrsWidth = c switch { BeatClass.V => 0.045, BeatClass.Q => 0.04, BeatClass.F => 0.03, _ => 0.012 };
        double rAmp = c switch { BeatClass.V => Jitter(rng, 1.5, 0.2), BeatClass.Q => Jitter(rng, 1.2, 0.2), _ => Jitter(rng, 1.0, 0.15) };
        waves.Add((rAmp, 0, Jitter(rng, qrsWidth, 0.2)));                              // R
        waves.Add((-0.15 * rAmp, Jitter(rng, 0.03, 0.2) + qrsWidth, 0.015));            // S
        double tAmp = c switch { BeatClass.V => -Jitter(rng, 0.45, 0.3), BeatClass.F => Jitter(rng, 0.1, 0.5), _ => Jitter(rng, 0.3, 0.3) };
        waves.Add((tAmp, Jitter(rng, c == BeatClass.V ? 0.3 : 0.25, 0.15), Jitter(rng, c == BeatClass.V ? 0.07 : 0.05, 0.2))); // T
        if (c == BeatClass.Q) waves.Add((Jitter(rng, 0.9, 0.2), -0.06, 0.003));          // pacing spike (previous beat's, seen at the end below)
        // The next beat: its P wave (absent for V's successor pause handled by a longer rr) and R.
        double nextR = rr;
        double pAmp = c switch { BeatClass.S => Jitter(rng, 0.05, 0.5), _ => Jitter(rng, 0.15, 0.3) };
        waves.Add((pAmp, nextR - Jitter(rng, 0.16, 0.15), 0.025));
        waves.Add((rAmp, nextR, qrsWidth));
        if (c == BeatClass.Q) waves.Add((Jitter(rng, 0.9, 0.2), nextR - 0.06, 0.003));
        double wander = rng.NextDouble() * 0.1, phase = rng.NextDouble() * 2 * Math.PI;
        Span<double> v = stackalloc double[used];
        for (int i = 0; i < used; i++)
        {
            double t = i / SampleRate, s = 0;
            foreach (var (a, tc, w) in waves) s += a * Math.Exp(-0.5 * ((t - tc) / w) * ((t - tc) / w));
            s += wander * Math.Sin(2 * Math.PI * 0.3 * t + phase) + 0.015 * (rng.NextDouble() * 2 - 1);
            v[i] = s;
        }
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var x in v) { min = Math.Min(min, x); max = Math.Max(max, x); }
        double range = max > min ? max - min : 1;
        row.Clear();
        for (int i = 0; i < used; i++) row[i] = (float)((v[i] - min) / range);
    }
}
