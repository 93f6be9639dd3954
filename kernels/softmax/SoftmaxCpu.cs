using System.Numerics.Tensors;

namespace EcgGpu.Kernels;

/// <summary>CPU softmax and fused cross-entropy, one row at a time.</summary>
public static class SoftmaxCpu
{
    public static void Rows(int rows, int cols, ReadOnlySpan<float> x, Span<float> y)
    {
        for (int r = 0; r < rows; r++) TensorPrimitives.SoftMax(x.Slice(r * cols, cols), y.Slice(r * cols, cols));
    }

    public static void RowsBackward(int rows, int cols, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int r = 0; r < rows; r++)
        {
            var yr = y.Slice(r * cols, cols);
            var dyr = dy.Slice(r * cols, cols);
            var dxr = dx.Slice(r * cols, cols);
            float dot = TensorPrimitives.Dot(dyr, yr);
            TensorPrimitives.Subtract(dyr, dot, dxr);
            TensorPrimitives.Multiply(dxr, yr, dxr);
        }
    }

    public static void CrossEntropy(int rows, int classes, ReadOnlySpan<float> logits, ReadOnlySpan<int> labels,
        ReadOnlySpan<float> classWeights, float gradScale, Span<float> rowLoss, Span<float> grad)
    {
        for (int r = 0; r < rows; r++)
        {
            var z = logits.Slice(r * classes, classes);
            var g = grad.Slice(r * classes, classes);
            int label = labels[r];
            if (label < 0 || label >= classes)
            {
                rowLoss[r] = float.NaN;
                g.Fill(float.NaN);
                continue;
            }
            float w = classWeights.IsEmpty ? 1f : classWeights[label];
            float m = TensorPrimitives.Max(z), zLabel = z[label];   // read before g is written: g may alias z
            float s = 0f;
            for (int j = 0; j < classes; j++) s += g[j] = MathF.Exp(z[j] - m);   // each exponential once, kept in g
            rowLoss[r] = w * (m + MathF.Log(s) - zLabel);
            float inv = 1f / s;
            for (int j = 0; j < classes; j++) g[j] = w * gradScale * (g[j] * inv - (j == label ? 1f : 0f));
        }
    }
}
