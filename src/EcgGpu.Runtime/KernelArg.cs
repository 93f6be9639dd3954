namespace EcgGpu.Runtime;

/// <summary>One kernel argument: a device buffer, a 32-bit integer or a float.</summary>
public readonly struct KernelArg
{
    internal enum ArgKind : byte { Buffer, Int32, UInt32, Float32 }

    internal readonly ArgKind Kind;
    internal readonly DeviceMemory? Memory;
    internal readonly int IntValue;
    internal readonly float FloatValue;

    private KernelArg(ArgKind kind, DeviceMemory? memory, int i, float f)
    {
        Kind = kind;
        Memory = memory;
        IntValue = i;
        FloatValue = f;
    }

    public static implicit operator KernelArg(DeviceMemory memory) => new(ArgKind.Buffer, memory ?? throw new ArgumentNullException(nameof(memory)), 0, 0);
    public static implicit operator KernelArg(int value) => new(ArgKind.Int32, null, value, 0);
    public static implicit operator KernelArg(uint value) => new(ArgKind.UInt32, null, unchecked((int)value), 0);
    public static implicit operator KernelArg(float value) => new(ArgKind.Float32, null, 0, value);

    public override string ToString() => Kind switch
    {
        ArgKind.Buffer => $"buffer({Memory!.ByteLength} bytes)",
        ArgKind.Float32 => FloatValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ArgKind.UInt32 => unchecked((uint)IntValue).ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

