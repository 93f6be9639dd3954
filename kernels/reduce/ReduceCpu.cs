using System.Numerics.Tensors;

namespace EcgGpu.Kernels;

public static class ReduceCpu
{
    public static float Sum(ReadOnlySpan<float> x) => TensorPrimitives.Sum(x);

    public static float Max(ReadOnlySpan<float> x) => x.IsEmpty ? float.NegativeInfinity : TensorPrimitives.Max(x);

    public static void ArgmaxRows(int rows, int cols, ReadOnlySpan<float> x, Span<int> output)
    {
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * cols, cols);
            int best = 0;
            for (int j = 1; j < cols; j++) if (row[j] > row[best]) best = j;
            output[r] = best;
        }
    }
}
