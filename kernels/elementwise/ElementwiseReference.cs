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
}
