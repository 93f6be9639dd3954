namespace EcgGpu.Kernels;

/// <summary>Plain loops in double: the ground truth the element-wise kernels are checked against.</summary>
public static class ElementwiseReference
{
    public static double Activate(Activation act, double x) => act switch
    {
        Activation.Relu => Math.Max(x, 0),
        Activation.Tanh => Math.Tanh(x),
        Activation.Sigmoid => 1 / (1 + Math.Exp(-x)),
        _ => x,
    };

    public static double Gradient(Activation act, double y) => act switch
    {
        Activation.Relu => y > 0 ? 1 : 0,
        Activation.Tanh => 1 - y * y,
        Activation.Sigmoid => y * (1 - y),
        _ => 1,
    };

    public static double[] BiasGrad(int outer, int channels, int inner, float[] dy)
    {
        var db = new double[channels];
        for (int o = 0; o < outer; o++)
            for (int c = 0; c < channels; c++)
                for (int i = 0; i < inner; i++) db[c] += dy[(o * channels + c) * inner + i];
        return db;
    }

    /// <summary>y[n, b, a] = x[n, a, b].</summary>
    public static double[] Transpose(int n, int a, int b, float[] x)
    {
        var y = new double[x.Length];
        for (int s = 0; s < n; s++)
            for (int i = 0; i < a; i++)
                for (int j = 0; j < b; j++) y[(s * b + j) * a + i] = x[(s * a + i) * b + j];
        return y;
    }
}
