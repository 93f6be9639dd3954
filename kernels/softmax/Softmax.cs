using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>Row softmax, its gradient, and fused softmax cross-entropy on any accelerator.</summary>
public static class Softmax
{
    public static void Forward(int rows, int cols, DeviceBuffer<float> x, DeviceBuffer<float> y)
    {
        var acc = Launch.Same(x, y);
        Check(rows, cols, x, y);
        if (Launch.IsCpu(acc)) { SoftmaxCpu.Rows(rows, cols, Launch.Span(x), Launch.Span(y)); return; }
        var device = Launch.Device(acc);
        device.Kernels<SoftmaxKernels.Loaded>().Forward(device, SoftmaxKernels.Loaded.ShapeFor(rows, cols), Launch.View(x), Launch.View(y));
    }

    public static void Backward(int rows, int cols, DeviceBuffer<float> y, DeviceBuffer<float> dy, DeviceBuffer<float> dx)
    {
        var acc = Launch.Same(y, dy, dx);
        Check(rows, cols, y, dy, dx);
        if (Launch.IsCpu(acc)) { SoftmaxCpu.RowsBackward(rows, cols, Launch.Span(y), Launch.Span(dy), Launch.Span(dx)); return; }
        var device = Launch.Device(acc);
        device.Kernels<SoftmaxKernels.Loaded>().Backward(device, SoftmaxKernels.Loaded.ShapeFor(rows, cols), Launch.View(y), Launch.View(dy), Launch.View(dx));
    }

    /// <summary>
    /// Fused softmax cross-entropy: per-row losses into <paramref name="rowLoss"/> and the gradient of the
    /// mean loss into <paramref name="grad"/>. Sum <paramref name="rowLoss"/> (e.g. <see cref="Reduce.Sum"/>) and
    /// divide by <paramref name="rows"/> for the mean. Class weights scale each row by the weight of its label.
    /// </summary>
    public static void CrossEntropy(int rows, int classes, DeviceBuffer<float> logits, DeviceBuffer<int> labels,
        DeviceBuffer<float>? classWeights, DeviceBuffer<float> rowLoss, DeviceBuffer<float> grad)
    {
        var acc = Launch.Same(logits, labels, rowLoss, grad);
        Check(rows, classes, logits, grad);
        Launch.AtLeast(labels, rows, nameof(labels));
        Launch.AtLeast(rowLoss, rows, nameof(rowLoss));
        if (classWeights is not null) { Launch.Same(logits, classWeights); Launch.AtLeast(classWeights, classes, nameof(classWeights)); }
        float scale = 1f / rows;
        if (Launch.IsCpu(acc))
        {
            SoftmaxCpu.CrossEntropy(rows, classes, Launch.Span(logits), Launch.Span(labels),
                classWeights is null ? default : Launch.Span(classWeights), scale, Launch.Span(rowLoss), Launch.Span(grad));
            return;
        }
        var device = Launch.Device(acc);
        device.Kernels<SoftmaxKernels.Loaded>().CrossEntropy(device,
            SoftmaxKernels.Loaded.ShapeFor(rows, classes) with { UseWeights = classWeights is null ? 0 : 1, GradScale = scale },
            Launch.View(logits), Launch.View(labels), Launch.ViewOrEmpty(classWeights), Launch.View(rowLoss), Launch.View(grad));
    }

    private static void Check(int rows, int cols, params ReadOnlySpan<DeviceBuffer<float>> buffers)
    {
        if (rows <= 0 || cols <= 0) throw new ArgumentOutOfRangeException(nameof(rows), $"softmax needs positive rows and columns, got {rows} x {cols}");
        foreach (var b in buffers) Launch.AtLeast(b, (long)rows * cols, "buffer");
    }
}
