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
    private static ElementwiseKernels.Loaded KernelsOn(IlgpuAccelerator device) => device.Kernels<ElementwiseKernels.Loaded>();

    /// <summary>c = a + b over the first <paramref name="n"/> elements (all of c when n &lt; 0).</summary>
    public static void Add(DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> c, long n = -1)
        => Binary(false, a, b, c, n, ElementwiseCpu.Add);

    /// <summary>c = a ⊙ b.</summary>
    public static void Multiply(DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> c, long n = -1)
        => Binary(true, a, b, c, n, ElementwiseCpu.Multiply);

    /// <summary>y = alpha·x + beta·y (beta = 0 overwrites y without reading it).</summary>
    public static void Axpby(float alpha, DeviceBuffer<float> x, float beta, DeviceBuffer<float> y, long n = -1)
    {
        var acc = ArgumentChecks.Same(x, y);
        int count = Count(n, y, x);
        if (Dispatch.IsCpu(acc)) { ElementwiseCpu.Axpby(alpha, BufferAccess.Span(x)[..count], beta, BufferAccess.Span(y)[..count]); return; }
        var device = Dispatch.Device(acc);
        KernelsOn(device).Axpby(device, count, alpha, BufferAccess.View(x), beta, BufferAccess.View(y));
    }

    /// <summary>
    /// Global-norm clipping without a host round trip: g *= clip / ‖g‖ when ‖g‖ = √<paramref name="normSquared"/>[0]
    /// exceeds <paramref name="clip"/>; the norm is read on the device, so a training step need not wait for it.
    /// </summary>
    public static void ClipByNorm(DeviceBuffer<float> normSquared, float clip, DeviceBuffer<float> g)
    {
        var acc = ArgumentChecks.Same(normSquared, g);
        ArgumentChecks.AtLeast(normSquared, 1, nameof(normSquared));
        int count = checked((int)g.Length);
        if (Dispatch.IsCpu(acc))
        {
            float norm = MathF.Sqrt(BufferAccess.Span(normSquared)[0]);
            if (norm > clip) ElementwiseCpu.Axpby(clip / norm, BufferAccess.Span(g), 0f, BufferAccess.Span(g));
            return;
        }
        var device = Dispatch.Device(acc);
        KernelsOn(device).ClipByNorm(device, count, clip, BufferAccess.View(normSquared), BufferAccess.View(g));
    }

    /// <summary>y = alpha·x (in place when x and y are the same buffer).</summary>
    public static void Scale(float alpha, DeviceBuffer<float> x, DeviceBuffer<float> y, long n = -1) => Axpby(alpha, x, 0f, y, n);

    /// <summary>y = act(x).</summary>
    public static void Forward(Activation act, DeviceBuffer<float> x, DeviceBuffer<float> y, long n = -1)
    {
        var acc = ArgumentChecks.Same(x, y);
        int count = Count(n, y, x);
        if (Dispatch.IsCpu(acc)) { ElementwiseCpu.Forward(act, BufferAccess.Span(x)[..count], BufferAccess.Span(y)[..count]); return; }
        var device = Dispatch.Device(acc);
        KernelsOn(device).Forward(device, count, act, BufferAccess.View(x), BufferAccess.View(y));
    }

    /// <summary>dx = dy · act'(·), with the derivative taken from the forward output <paramref name="y"/>.</summary>
    public static void Backward(Activation act, DeviceBuffer<float> y, DeviceBuffer<float> dy, DeviceBuffer<float> dx, long n = -1)
    {
        var acc = ArgumentChecks.Same(y, dy, dx);
        int count = Count(n, dx, y, dy);
        if (Dispatch.IsCpu(acc)) { ElementwiseCpu.Backward(act, BufferAccess.Span(y)[..count], BufferAccess.Span(dy)[..count], BufferAccess.Span(dx)[..count]); return; }
        var device = Dispatch.Device(acc);
        KernelsOn(device).Backward(device, count, act, BufferAccess.View(y), BufferAccess.View(dy), BufferAccess.View(dx));
    }

    /// <summary>x[o, c, i] += bias[c] for x of shape (outer, channels, inner).</summary>
    public static void BiasAdd(DeviceBuffer<float> x, DeviceBuffer<float> bias, int outer, int channels, int inner = 1)
    {
        var acc = ArgumentChecks.Same(x, bias);
        ArgumentChecks.AtLeast(x, (long)outer * channels * inner, nameof(x));
        ArgumentChecks.AtLeast(bias, channels, nameof(bias));
        if (Dispatch.IsCpu(acc)) { ElementwiseCpu.BiasAdd(outer, channels, inner, BufferAccess.Span(x), BufferAccess.Span(bias)); return; }
        var device = Dispatch.Device(acc);
        KernelsOn(device).BiasAdd(device, new ElementwiseKernels.BiasShape { Outer = outer, Channels = channels, Inner = inner }, BufferAccess.View(x), BufferAccess.View(bias));
    }

    /// <summary>db[c] = Σ dy[o, c, i] (overwrites db).</summary>
    public static void BiasGrad(DeviceBuffer<float> dy, DeviceBuffer<float> db, int outer, int channels, int inner = 1)
    {
        var acc = ArgumentChecks.Same(dy, db);
        ArgumentChecks.AtLeast(dy, (long)outer * channels * inner, nameof(dy));
        ArgumentChecks.AtLeast(db, channels, nameof(db));
        if (Dispatch.IsCpu(acc)) { ElementwiseCpu.BiasGrad(outer, channels, inner, BufferAccess.Span(dy), BufferAccess.Span(db)); return; }
        var device = Dispatch.Device(acc);
        KernelsOn(device).BiasGrad(device, new ElementwiseKernels.BiasShape { Outer = outer, Channels = channels, Inner = inner }, BufferAccess.View(dy), BufferAccess.View(db));
    }

    /// <summary>y (N, B, A) = x (N, A, B) transposed per sample.</summary>
    public static void Transpose(int n, int a, int b, DeviceBuffer<float> x, DeviceBuffer<float> y)
    {
        var acc = ArgumentChecks.Same(x, y);
        long count = (long)n * a * b;
        ArgumentChecks.AtLeast(x, count, nameof(x));
        ArgumentChecks.AtLeast(y, count, nameof(y));
        if (count == 0) return;
        if (Dispatch.IsCpu(acc)) { ElementwiseCpu.Transpose(n, a, b, BufferAccess.Span(x), BufferAccess.Span(y)); return; }
        var device = Dispatch.Device(acc);
        KernelsOn(device).Transpose(device, n, a, b, BufferAccess.View(x), BufferAccess.View(y));
    }

    private delegate void BinaryCpu(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c);

    private static void Binary(bool multiply, DeviceBuffer<float> a, DeviceBuffer<float> b, DeviceBuffer<float> c, long n, BinaryCpu cpu)
    {
        var acc = ArgumentChecks.Same(a, b, c);
        int count = Count(n, c, a, b);
        if (Dispatch.IsCpu(acc)) { cpu(BufferAccess.Span(a)[..count], BufferAccess.Span(b)[..count], BufferAccess.Span(c)[..count]); return; }
        var device = Dispatch.Device(acc);
        if (multiply) KernelsOn(device).Multiply(device, count, BufferAccess.View(a), BufferAccess.View(b), BufferAccess.View(c));
        else KernelsOn(device).Add(device, count, BufferAccess.View(a), BufferAccess.View(b), BufferAccess.View(c));
    }

    /// <summary>The element count: <paramref name="n"/>, or the output's length; every input must hold it.</summary>
    internal static int Count(long n, DeviceBuffer<float> output, params ReadOnlySpan<DeviceBuffer<float>> inputs)
    {
        long count = n < 0 ? output.Length : n;
        ArgumentChecks.AtLeast(output, count, "output");
        foreach (var input in inputs) ArgumentChecks.AtLeast(input, count, "input");
        return checked((int)count);
    }
}
