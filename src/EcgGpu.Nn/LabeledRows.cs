namespace EcgGpu.Nn;

/// <summary>What Fit, Evaluate and ProfileSteps take: rows of <see cref="Width"/> floats with integer class labels (a Data BeatSet as a model sees it).</summary>
public sealed record LabeledRows(float[] X, int[] Y, int Width)
{
    public int Rows => Y.Length;

    public void Validate(int width, int classes, string what)
    {
        if (Width != width) throw new ArgumentException($"{what}: rows have {Width} values, the model expects {width}");
        if (X.Length != (long)Rows * Width) throw new ArgumentException($"{what}: {X.Length} values do not make {Rows} rows of {Width}");
        for (int i = 0; i < Y.Length; i++)
            if ((uint)Y[i] >= (uint)classes) throw new ArgumentException($"{what}: row {i} has label {Y[i]}, not a class in [0, {classes})");
    }

    /// <summary>The rows at <paramref name="indices"/>.</summary>
    public LabeledRows Take(IReadOnlyList<int> indices)
    {
        var x = new float[indices.Count * Width];
        var y = new int[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            Array.Copy(X, (long)indices[i] * Width, x, (long)i * Width, Width);
            y[i] = Y[indices[i]];
        }
        return new LabeledRows(x, y, Width);
    }
}
