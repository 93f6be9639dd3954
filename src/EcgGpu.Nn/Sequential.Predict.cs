using EcgGpu.Kernels;

namespace EcgGpu.Nn;

public sealed partial class Sequential
{
    /// <summary>Class probabilities, rows × classes, row-major.</summary>
    public float[] Predict(float[] x)
    {
        var acc = Accelerator ?? throw new InvalidOperationException("compile the model before Predict");
        if (x.Length % InputWidth != 0) throw new ArgumentException($"{x.Length} values do not make rows of {InputWidth}", nameof(x));
        int rows = x.Length / InputWidth;
        var result = new float[(long)rows * Classes];
        using var all = acc.Upload<float>(x);
        // Sized for this call (one row for single-beat latency), not for the compiled batch size.
        int chunk = Math.Min(BatchSize, rows);
        using var batchX = acc.Allocate<float>((long)chunk * InputWidth);
        using var probabilities = acc.Allocate<float>((long)chunk * Classes);
        for (int start = 0; start < rows; start += BatchSize)
        {
            int n = Math.Min(BatchSize, rows - start);
            batchX.CopyFrom(all, (long)start * InputWidth, 0, (long)n * InputWidth);
            Softmax.Forward(n, Classes, Forward(batchX, n, training: false), probabilities);
            probabilities.Download(result.AsSpan(start * Classes, n * Classes));
        }
        return result;
    }

    /// <summary>The most probable class of each row.</summary>
    public int[] PredictClasses(float[] x)
    {
        var p = Predict(x);
        int rows = p.Length / Classes;
        var classes = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            int best = 0;
            for (int c = 1; c < Classes; c++) if (p[r * Classes + c] > p[r * Classes + best]) best = c;
            classes[r] = best;
        }
        return classes;
    }
}
