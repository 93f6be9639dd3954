namespace EcgGpu.Kernels;

public static class SoftmaxReference
{
    public static double[] Rows(int rows, int cols, float[] x)
    {
        var y = new double[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            double m = double.NegativeInfinity, s = 0;
            for (int j = 0; j < cols; j++) m = Math.Max(m, x[r * cols + j]);
            for (int j = 0; j < cols; j++) s += Math.Exp(x[r * cols + j] - m);
            for (int j = 0; j < cols; j++) y[r * cols + j] = Math.Exp(x[r * cols + j] - m) / s;
        }
        return y;
    }

    public static double[] RowsBackward(int rows, int cols, double[] y, float[] dy)
    {
        var dx = new double[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            double dot = 0;
            for (int j = 0; j < cols; j++) dot += dy[r * cols + j] * y[r * cols + j];
            for (int j = 0; j < cols; j++) dx[r * cols + j] = y[r * cols + j] * (dy[r * cols + j] - dot);
        }
        return dx;
    }

    /// <summary>(per-row weighted losses, gradient of their mean over rows).</summary>
    public static (double[] RowLoss, double[] Grad) CrossEntropy(int rows, int classes, float[] logits, int[] labels, float[]? weights)
    {
        var p = Rows(rows, classes, logits);
        var loss = new double[rows];
        var grad = new double[rows * classes];
        for (int r = 0; r < rows; r++)
        {
            double w = weights?[labels[r]] ?? 1;
            loss[r] = -w * Math.Log(p[r * classes + labels[r]]);
            for (int j = 0; j < classes; j++) grad[r * classes + j] = w * (p[r * classes + j] - (j == labels[r] ? 1 : 0)) / rows;
        }
        return (loss, grad);
    }
}
