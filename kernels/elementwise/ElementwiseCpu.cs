using System.Numerics.Tensors;

namespace EcgGpu.Kernels.Elementwise;

/// <summary>CPU implementations of the element-wise family (System.Numerics.Tensors SIMD).</summary>
public static class ElementwiseCpu
{
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c) => TensorPrimitives.Add(a, b, c);

    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c) => TensorPrimitives.Multiply(a, b, c);

    public static void Axpby(float alpha, ReadOnlySpan<float> x, float beta, Span<float> y)
    {
        if (beta == 0f) TensorPrimitives.Multiply(x, alpha, y);
        else if (beta == 1f) TensorPrimitives.MultiplyAdd(x, alpha, y, y);
        else
        {
            TensorPrimitives.Multiply(y, beta, y);
            TensorPrimitives.MultiplyAdd(x, alpha, y, y);
        }
    }

    public static void Forward(Activation act, ReadOnlySpan<float> x, Span<float> y)
    {
        switch (act)
        {
            case Activation.Relu: TensorPrimitives.Max(x, 0f, y); break;
            case Activation.Tanh: TensorPrimitives.Tanh(x, y); break;
            case Activation.Sigmoid: TensorPrimitives.Sigmoid(x, y); break;
            default: x.CopyTo(y); break;
        }
    }

    public static void Backward(Activation act, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        switch (act)
        {
            case Activation.Relu:
                for (int i = 0; i < y.Length; i++) dx[i] = y[i] > 0f ? dy[i] : 0f;
                break;
            case Activation.Tanh:
                for (int i = 0; i < y.Length; i++) dx[i] = dy[i] * (1f - y[i] * y[i]);
                break;
            case Activation.Sigmoid:
                for (int i = 0; i < y.Length; i++) dx[i] = dy[i] * y[i] * (1f - y[i]);
                break;
            default: dy.CopyTo(dx); break;
        }
    }

    public static void BiasAdd(int outer, int channels, int inner, Span<float> x, ReadOnlySpan<float> bias)
    {
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++) TensorPrimitives.Add(x.Slice(o * channels, channels), bias, x.Slice(o * channels, channels));
            return;
        }
        for (int o = 0; o < outer; o++)
            for (int c = 0; c < channels; c++)
            {
                var row = x.Slice((o * channels + c) * inner, inner);
                TensorPrimitives.Add(row, bias[c], row);
            }
    }

    public static void BiasGrad(int outer, int channels, int inner, ReadOnlySpan<float> dy, Span<float> db)
    {
        db[..channels].Clear();
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++) TensorPrimitives.Add(db[..channels], dy.Slice(o * channels, channels), db[..channels]);
            return;
        }
        for (int o = 0; o < outer; o++)
            for (int c = 0; c < channels; c++)
                db[c] += TensorPrimitives.Sum(dy.Slice((o * channels + c) * inner, inner));
    }

    public static void Transpose(int n, int a, int b, ReadOnlySpan<float> x, Span<float> y)
    {
        for (int s = 0; s < n; s++)
            for (int i = 0; i < a; i++)
                for (int j = 0; j < b; j++) y[(s * b + j) * a + i] = x[(s * a + i) * b + j];
    }
}
