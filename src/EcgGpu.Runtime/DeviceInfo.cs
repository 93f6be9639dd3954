namespace EcgGpu.Runtime;

/// <summary>
/// One device found by <see cref="Context"/>: what it is, and how to open an accelerator on it.
/// </summary>
public sealed class DeviceInfo
{
    private readonly Func<Accelerator> _factory;

    internal DeviceInfo(AcceleratorKind kind, int kindIndex, string name, string vendor, long memoryBytes,
        int computeUnits, string driverVersion, bool isGpu, Func<Accelerator> factory)
    {
        Kind = kind;
        KindIndex = kindIndex;
        Name = name;
        Vendor = vendor;
        MemoryBytes = memoryBytes;
        ComputeUnits = computeUnits;
        DriverVersion = driverVersion;
        IsGpu = isGpu;
        _factory = factory;
    }

    /// <summary>Position in <see cref="Context.Devices"/> (what <c>ecg devices</c> prints).</summary>
    public int Index { get; internal set; }
    public AcceleratorKind Kind { get; }
    /// <summary>Position among the devices of the same kind (what <c>--device N</c> selects with <c>--backend</c>).</summary>
    public int KindIndex { get; }
    public string Name { get; }
    public string Vendor { get; }
    public long MemoryBytes { get; }
    public int ComputeUnits { get; }
    public string DriverVersion { get; }
    /// <summary>True for a GPU; an OpenCL CPU runtime such as PoCL is not one.</summary>
    public bool IsGpu { get; }

    /// <summary>Opens an accelerator on this device. The caller owns and disposes it.</summary>
    public Accelerator CreateAccelerator() => _factory();

    public override string ToString() => $"[{Index}] {Kind.ToCliName()}:{KindIndex} {Name} ({Vendor})";
}
