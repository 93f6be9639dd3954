using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace EcgGpu.Kernels;

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

    /// <summary>dx = dy · act'(y), from the activation's output y; eight lanes at a time (no branches: relu masks are data-dependent).</summary>
    public static void Backward(Activation act, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var one = Vector256.Create(1f);
            for (; i + 8 <= y.Length; i += 8)
            {
                var yv = Vector256.Create(y.Slice(i, 8));
                var g = Vector256.Create(dy.Slice(i, 8));
                var d = act switch
                {
                    Activation.Relu => Vector256.ConditionalSelect(Vector256.GreaterThan(yv, Vector256<float>.Zero), g, Vector256<float>.Zero),
                    Activation.Tanh => g * (one - yv * yv),
                    Activation.Sigmoid => g * yv * (one - yv),
                    _ => g,
                };
                d.CopyTo(dx.Slice(i, 8));
            }
        }
        for (; i < y.Length; i++)
            dx[i] = act switch
            {
                Activation.Relu => y[i] > 0f ? dy[i] : 0f,
                Activation.Tanh => dy[i] * (1f - y[i] * y[i]),
                Activation.Sigmoid => dy[i] * y[i] * (1f - y[i]),
                _ => dy[i],
            };
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
