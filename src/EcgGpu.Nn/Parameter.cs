using EcgGpu.Runtime;

namespace EcgGpu.Nn;

/// <summary>A trainable array of a layer: its value and gradient on the accelerator, and optimiser state.</summary>
public sealed class Parameter : IDisposable
{
    internal Parameter(string name, int[] shape, DeviceBuffer<float> value, DeviceBuffer<float> grad)
    {
        Name = name;
        Shape = shape;
        Value = value;
        Grad = grad;
    }

    public string Name { get; internal set; }
    public int[] Shape { get; }
    public long Length => Value.Length;
    public DeviceBuffer<float> Value { get; }
    public DeviceBuffer<float> Grad { get; }
    /// <summary>L2 regularisation factor: the loss gains λ·Σw², the gradient 2λ·w.</summary>
    public float L2 { get; init; }
    /// <summary>False for state that training does not update through gradients (BatchNormalization's moving statistics); it is saved with the weights.</summary>
    public bool Trainable { get; init; } = true;
    internal DeviceBuffer<float>? M { get; set; }
    internal DeviceBuffer<float>? V { get; set; }

    public void Dispose()
    {
        Value.Dispose();
        Grad.Dispose();
        M?.Dispose();
        V?.Dispose();
    }
}
