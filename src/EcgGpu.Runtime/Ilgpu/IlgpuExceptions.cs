namespace EcgGpu.Runtime.Ilgpu;

/// <summary>An operation on a device failed; names the device and the operation.</summary>
public sealed class DeviceOperationException(Accelerator accelerator, string operation, Exception inner)
    : Exception($"{accelerator}: {operation} failed: {inner.Message}", inner);

/// <summary>A kernel family failed to compile or load; names the device and the family.</summary>
public sealed class KernelLoadException(Accelerator accelerator, string family, Exception inner)
    : Exception($"{accelerator}: loading kernel family '{family}' failed: {inner.Message}", inner)
{
    public string Family { get; } = family;
}
