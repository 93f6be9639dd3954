using EcgGpu.Runtime;
using EcgGpu.Runtime.Ilgpu;

namespace EcgGpu.Kernels;

/// <summary>Activation functions with a gradient expressible through their output.</summary>
public enum Activation
{
    Identity = 0,
    Relu = 1,
    Tanh = 2,
    Sigmoid = 3,
}

/// <summary>Element-wise arithmetic, activations, bias add and bias gradient on any accelerator.</summary>
public static class Elementwise
{
    private static ElementwiseKernels.Loaded K(IlgpuAccelerator device) => device.Kernels<ElementwiseKernels.Loaded>();

    /// <summary>c = a + b over the first <paramref name="n"/> elements (all of c when n &lt; 0).</summary>
    public static void Add(DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> c, long n = -1)
        => Binary(false, a, b, c, n, ElementwiseCpu.Add);

    /// <summary>c = a ⊙ b.</summary>
    public static void Multiply(DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> c, long n = -1)
        => Binary(true, a, b, c, n, ElementwiseCpu.Multiply);

    /// <summary>y = alpha·x + beta·y (beta = 0 overwrites y without reading it).</summary>
    public static void Axpby(float alpha, DeviceBuffer<float> x, float beta, DeviceBuffer<float> y, long n = -1)
    {
        var acc = Launch.Same(x, y);
        int count = Count(n, y, x);
        if (Launch.IsCpu(acc)) { ElementwiseCpu.Axpby(alpha, Launch.Span(x)[..count], beta, Launch.Span(y)[..count]); return; }
        var device = Launch.Device(acc);
        K(device).Axpby(device, count, alpha, Launch.View(x), beta, Launch.View(y));
    }

    /// <summary>
    /// Global-norm clipping without a host round trip: g *= clip / ‖g‖ when ‖g‖ = √<paramref name="normSquared"/>[0]
    /// exceeds <paramref name="clip"/>; the norm is read on the device, so a training step need not wait for it.
    /// </summary>
    public static void ClipByNorm(DeviceBuffer<float> normSquared, float clip, DeviceBuffer<float> g)
    {
        var acc = Launch.Same(normSquared, g);
        Launch.AtLeast(normSquared, 1, nameof(normSquared));
        int count = checked((int)g.Length);
        if (Launch.IsCpu(acc))
        {
            float norm = MathF.Sqrt(Launch.Span(normSquared)[0]);
            if (norm > clip) ElementwiseCpu.Axpby(clip / norm, Launch.Span(g), 0f, Launch.Span(g));
            return;
        }
        var device = Launch.Device(acc);
        K(device).ClipByNorm(device, count, clip, Launch.View(normSquared), Launch.View(g));
    }

    /// <summary>y = alpha·x (in place when x and y are the same buffer).</summary>
    public static void Scale(float alpha, DeviceBuffer<float> x, DeviceBuffer<float> y, long n = -1) => Axpby(alpha, x, 0f, y, n);

    /// <summary>y = act(x).</summary>
    public static void Forward(Activation act, DeviceBuffer<float> x, DeviceBuffer<float> y, long n = -1)
    {
        var acc = Launch.Same(x, y);
        int count = Count(n, y, x);
        if (Launch.IsCpu(acc)) { ElementwiseCpu.Forward(act, Launch.Span(x)[..count], Launch.Span(y)[..count]); return; }
        var device = Launch.Device(acc);
        K(device).Forward(device, count, act, Launch.View(x), Launch.View(y));
    }

    /// <summary>dx = dy · act'(·), with the derivative taken from the forward output <paramref name="y"/>.</summary>
    public static void Backward(Activation act, DeviceBuffer<float> y, DeviceBuffer<float> dy, DeviceBuffer<float> dx, long n = -1)
    {
        var acc = Launch.Same(y, dy, dx);
        int count = Count(n, dx, y, dy);
        if (Launch.IsCpu(acc)) { ElementwiseCpu.Backward(act, Launch.Span(y)[..count], Launch.Span(dy)[..count], Launch.Span(dx)[..count]); return; }
        var device = Launch.Device(acc);
        K(device).Backward(device, count, act, Launch.View(y), Launch.View(dy), Launch.View(dx));
    }

    /// <summary>x[o, c, i] += bias[c] for x of shape (outer, channels, inner).</summary>
    public static void BiasAdd(DeviceBuffer<float> x, DeviceBuffer<float> bias, int outer, int channels, int inner = 1)
    {
        var acc = Launch.Same(x, bias);
        Launch.AtLeast(x, (long)outer * channels * inner, nameof(x));
        Launch.AtLeast(bias, channels, nameof(bias));
        if (Launch.IsCpu(acc)) { ElementwiseCpu.BiasAdd(outer, channels, inner, Launch.Span(x), Launch.Span(bias)); return; }
        var device = Launch.Device(acc);
        K(device).BiasAdd(device, new ElementwiseKernels.BiasShape { Outer = outer, Channels = channels, Inner = inner }, Launch.View(x), Launch.View(bias));
    }

    /// <summary>db[c] = Σ dy[o, c, i] (overwrites db).</summary>
    public static void BiasGrad(DeviceBuffer<float> dy, DeviceBuffer<float> db, int outer, int channels, int inner = 1)
    {
        var acc = Launch.Same(dy, db);
        Launch.AtLeast(dy, (long)outer * channels * inner, nameof(dy));
        Launch.AtLeast(db, channels, nameof(db));
        if (Launch.IsCpu(acc)) { ElementwiseCpu.BiasGrad(outer, channels, inner, Launch.Span(dy), Launch.Span(db)); return; }
        var device = Launch.Device(acc);
        K(device).BiasGrad(device, new ElementwiseKernels.BiasShape { Outer = outer, Channels = channels, Inner = inner }, Launch.View(dy), Launch.View(db));
    }

    /// <summary>y (N, B, A) = x (N, A, B) transposed per sample.</summary>
    public static void Transpose(int n, int a, int b, DeviceBuffer<float> x, DeviceBuffer<float> y)
    {
        var acc = Launch.Same(x, y);
        long count = (long)n * a * b;
        Launch.AtLeast(x, count, nameof(x));
        Launch.AtLeast(y, count, nameof(y));
        if (count == 0) return;
        if (Launch.IsCpu(acc)) { ElementwiseCpu.Transpose(n, a, b, Launch.Span(x), Launch.Span(y)); return; }
        var device = Launch.Device(acc);
        K(device).Transpose(device, n, a, b, Launch.View(x), Launch.View(y));
    }

    private delegate void BinaryCpu(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c);

    private static void Binary(bool multiply, DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> c, long n, BinaryCpu cpu)
    {
        var acc = Launch.Same(a, b, c);
        int count = Count(n, c, a, b);
        if (Launch.IsCpu(acc)) { cpu(Launch.Span(a)[..count], Launch.Span(b)[..count], Launch.Span(c)[..count]); return; }
        var device = Launch.Device(acc);
        if (multiply) K(device).Multiply(device, count, Launch.View(a), Launch.View(b), Launch.View(c));
        else K(device).Add(device, count, Launch.View(a), Launch.View(b), Launch.View(c));
    }

    /// <summary>The element count: <paramref name="n"/>, or the output's length; every input must hold it.</summary>
    internal static int Count(long n, DeviceBuffer<float> output, params ReadOnlySpan<DeviceBuffer<float>> inputs)
    {
        long count = n < 0 ? output.Length : n;
        Launch.AtLeast(output, count, "output");
        foreach (var input in inputs) Launch.AtLeast(input, count, "input");
        return checked((int)count);
    }
}
