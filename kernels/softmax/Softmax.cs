using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>Row softmax, its gradient, and fused softmax cross-entropy on any accelerator.</summary>
public static class Softmax
{
    public static void Forward(int rows, int cols, DeviceBuffer<float> x, DeviceBuffer<float> y)
    {
        var acc = ArgumentChecks.Same(x, y);
        Check(rows, cols, x, y);
        if (Dispatch.IsCpu(acc)) { SoftmaxCpu.Rows(rows, cols, BufferAccess.Span(x), BufferAccess.Span(y)); return; }
        var device = Dispatch.Device(acc);
        device.Kernels<SoftmaxKernels.Loaded>().Forward(device, SoftmaxKernels.Loaded.ShapeFor(rows, cols), BufferAccess.View(x), BufferAccess.View(y));
    }

    public static void Backward(int rows, int cols, DeviceBuffer<float> y, DeviceBuffer<float> dy, DeviceBuffer<float> dx)
    {
        var acc = ArgumentChecks.Same(y, dy, dx);
        Check(rows, cols, y, dy, dx);
        if (Dispatch.IsCpu(acc)) { SoftmaxCpu.RowsBackward(rows, cols, BufferAccess.Span(y), BufferAccess.Span(dy), BufferAccess.Span(dx)); return; }
        var device = Dispatch.Device(acc);
        device.Kernels<SoftmaxKernels.Loaded>().Backward(device, SoftmaxKernels.Loaded.ShapeFor(rows, cols), BufferAccess.View(y), BufferAccess.View(dy), BufferAccess.View(dx));
    }

    /// <summary>
    /// Fused softmax cross-entropy: per-row losses into <paramref name="rowLoss"/> and the gradient of the
    /// mean loss into <paramref name="grad"/>. Sum <paramref name="rowLoss"/> (e.g. <see cref="Reduce.Sum"/>) and
    /// divide by <paramref name="rows"/> for the mean. Class weights scale each row by the weight of its label.
    /// </summary>
    public static void CrossEntropy(int rows, int classes, DeviceBuffer<float> logits, DeviceBuffer<int> labels,
        DeviceBuffer<float>? classWeights, DeviceBuffer<float> rowLoss, DeviceBuffer<float> grad)
    {
        var acc = ArgumentChecks.Same(logits, labels, rowLoss, grad);
        Check(rows, classes, logits, grad);
        ArgumentChecks.AtLeast(labels, rows, nameof(labels));
        ArgumentChecks.AtLeast(rowLoss, rows, nameof(rowLoss));
        if (classWeights is not null) { ArgumentChecks.Same(logits, classWeights); ArgumentChecks.AtLeast(classWeights, classes, nameof(classWeights)); }
        float scale = 1f / rows;
        if (Dispatch.IsCpu(acc))
        {
            SoftmaxCpu.CrossEntropy(rows, classes, BufferAccess.Span(logits), BufferAccess.Span(labels),
                classWeights is null ? default : BufferAccess.Span(classWeights), scale, BufferAccess.Span(rowLoss), BufferAccess.Span(grad));
            return;
        }
        var device = Dispatch.Device(acc);
        device.Kernels<SoftmaxKernels.Loaded>().CrossEntropy(device,
            SoftmaxKernels.Loaded.ShapeFor(rows, classes) with { UseWeights = classWeights is null ? 0 : 1, GradScale = scale },
            BufferAccess.View(logits), BufferAccess.View(labels), BufferAccess.ViewOrEmpty(classWeights), BufferAccess.View(rowLoss), BufferAccess.View(grad));
    }

    private static void Check(int rows, int cols, params ReadOnlySpan<DeviceBuffer<float>> buffers)
    {
        if (rows <= 0 || cols <= 0) throw new ArgumentOutOfRangeException(nameof(rows), $"softmax needs positive rows and columns, got {rows} x {cols}");
        foreach (var b in buffers) ArgumentChecks.AtLeast(b, (long)rows * cols, "buffer");
    }
}
