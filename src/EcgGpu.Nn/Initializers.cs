namespace EcgGpu.Nn;

/// <summary>Keras's default initialisers, seedable.</summary>
public static class Initializers
{
    /// <summary>U(−a, a) with a = √(6 / (fanIn + fanOut)).</summary>
    public static float[] GlorotUniform(Random rng, int length, int fanIn, int fanOut)
    {
        double limit = Math.Sqrt(6.0 / (fanIn + fanOut));
        var v = new float[length];
        for (int i = 0; i < length; i++) v[i] = (float)((rng.NextDouble() * 2 - 1) * limit);
        return v;
    }

    public static float[] Zeros(int length) => new float[length];

    /// <summary>
    /// An orthogonal (rows × cols) matrix, row-major: orthonormal rows when rows ≤ cols (Keras's
    /// recurrent kernels, H × G·H), else orthonormal columns. Gram–Schmidt on a normal matrix, in double.
    /// </summary>
    public static float[] Orthogonal(Random rng, int rows, int cols)
    {
        bool transpose = rows < cols;
        int r = transpose ? cols : rows, c = transpose ? rows : cols; // r ≥ c: orthonormalise c columns of length r
        var q = new double[c][];
        for (int j = 0; j < c; j++)
        {
            var v = new double[r];
            for (int i = 0; i < r; i++) v[i] = Normal(rng);
            for (int k = 0; k < j; k++)
            {
                double dot = 0;
                for (int i = 0; i < r; i++) dot += v[i] * q[k][i];
                for (int i = 0; i < r; i++) v[i] -= dot * q[k][i];
            }
            double norm = Math.Sqrt(v.Sum(x => x * x));
            for (int i = 0; i < r; i++) v[i] /= norm;
            q[j] = v;
        }
        var result = new float[rows * cols];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++)
            {
                if (transpose) result[j * cols + i] = (float)q[j][i];
                else result[i * cols + j] = (float)q[j][i];
            }
        return result;
    }

    private static double Normal(Random rng)
    {
        double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
