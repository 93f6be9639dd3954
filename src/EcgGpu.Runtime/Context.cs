using EcgGpu.Runtime.Cpu;
using EcgGpu.Runtime.Ilgpu;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using IlgpuContext = ILGPU.Context;

namespace EcgGpu.Runtime;

/// <summary>
/// Lists every device this process can use: the managed CPU backend, ILGPU's CPU accelerator, each CUDA GPU
/// and each OpenCL device ILGPU can drive. A backend with no device keeps the reason in
/// <see cref="Unavailable"/>; a device found but unusable (an OpenCL device without the generic address space,
/// such as PoCL 3.1) is listed in <see cref="Unusable"/> with the reason, never opened.
/// </summary>
public sealed class Context
{
    private Context(IReadOnlyList<DeviceInfo> devices, IReadOnlyDictionary<AcceleratorKind, string> unavailable, IReadOnlyList<UnusableDevice> unusable)
    {
        Devices = devices;
        Unavailable = unavailable;
        Unusable = unusable;
    }

    public IReadOnlyList<DeviceInfo> Devices { get; }

    /// <summary>Why a backend has no devices (no driver, no platform, no usable device).</summary>
    public IReadOnlyDictionary<AcceleratorKind, string> Unavailable { get; }

    /// <summary>Devices that were found but that ILGPU cannot drive, with the reason.</summary>
    public IReadOnlyList<UnusableDevice> Unusable { get; }

    /// <summary>Probes all backends. Cheap enough to call once per process.</summary>
    public static Context Create()
    {
        var devices = new List<DeviceInfo> { CpuDevice.Describe(0) };
        var unavailable = new Dictionary<AcceleratorKind, string>();
        var unusable = new List<UnusableDevice>();
        IlgpuContext? ilgpu = null;
        try { ilgpu = IlgpuRuntime.Context; }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            foreach (var kind in new[] { AcceleratorKind.IlgpuCpu, AcceleratorKind.Cuda, AcceleratorKind.OpenCL })
                unavailable[kind] = $"ILGPU could not start: {e.Message}";
        }
        if (ilgpu is not null)
        {
            var cpus = ilgpu.GetCPUDevices();
            for (int i = 0; i < cpus.Count; i++) devices.Add(IlgpuRuntime.Describe(cpus[i], AcceleratorKind.IlgpuCpu, i, isGpu: false));

            var cudas = ilgpu.GetCudaDevices();
            for (int i = 0; i < cudas.Count; i++) devices.Add(IlgpuRuntime.Describe(cudas[i], AcceleratorKind.Cuda, i, isGpu: true));
            if (cudas.Count == 0) unavailable[AcceleratorKind.Cuda] = IlgpuRuntime.CudaAbsenceReason();

            int usable = 0;
            foreach (var cl in ilgpu.GetCLDevices())
            {
                if (IlgpuRuntime.OpenClUnsupportedReason(cl) is { } reason)
                    unusable.Add(new UnusableDevice(AcceleratorKind.OpenCL, cl.Name, cl.VendorName, reason));
                else
                    devices.Add(IlgpuRuntime.Describe(cl, AcceleratorKind.OpenCL, usable++, isGpu: cl.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU));
            }
            if (usable == 0)
                unavailable[AcceleratorKind.OpenCL] = unusable.Count > 0
                    ? $"no OpenCL device ILGPU can drive: {string.Join("; ", unusable.Select(u => $"{u.Name}: {u.Reason}"))}"
                    : IlgpuRuntime.OpenClAbsenceReason();
        }
        for (int i = 0; i < devices.Count; i++) devices[i].Index = i;
        return new Context(devices, unavailable, unusable);
    }

    /// <summary>The devices of one backend, in <see cref="DeviceInfo.KindIndex"/> order.</summary>
    public IEnumerable<DeviceInfo> OfKind(AcceleratorKind kind) => Devices.Where(d => d.Kind == kind);

    /// <summary>
    /// The preferred device: a CUDA GPU, else an OpenCL GPU, else the managed CPU backend (never ILGPU's CPU
    /// accelerator, which is a correctness device).
    /// </summary>
    public DeviceInfo Default =>
        OfKind(AcceleratorKind.Cuda).FirstOrDefault()
        ?? OfKind(AcceleratorKind.OpenCL).FirstOrDefault(d => d.IsGpu)
        ?? OfKind(AcceleratorKind.Cpu).First();

    /// <summary>
    /// Chooses a device: with a backend, <paramref name="index"/> counts among that backend's devices;
    /// without one, it is the position in <see cref="Devices"/>; with neither, the default.
    /// </summary>
    public DeviceInfo Select(AcceleratorKind? kind = null, int? index = null)
    {
        if (kind is null)
        {
            if (index is null) return Default;
            if (index < 0 || index >= Devices.Count)
                throw new ArgumentOutOfRangeException(nameof(index), $"device {index} does not exist; devices: 0..{Devices.Count - 1} ({Describe()})");
            return Devices[index.Value];
        }
        var ofKind = OfKind(kind.Value).ToList();
        if (ofKind.Count == 0)
        {
            var reason = Unavailable.TryGetValue(kind.Value, out var r) ? r : "no devices found";
            throw new BackendUnavailableException($"backend '{kind.Value.ToCliName()}' is not available: {reason}. Available: {Describe()}");
        }
        int i = index ?? 0;
        if (i < 0 || i >= ofKind.Count)
            throw new ArgumentOutOfRangeException(nameof(index), $"backend '{kind.Value.ToCliName()}' has devices 0..{ofKind.Count - 1}, not {i}");
        return ofKind[i];
    }

    private string Describe() => string.Join("; ", Devices.Select(d => d.ToString()));
}

/// <summary>A device that was found but cannot be used, and why.</summary>
public sealed record UnusableDevice(AcceleratorKind Kind, string Name, string Vendor, string Reason);

/// <summary>A requested backend has no usable device; the message says why and what is available.</summary>
public sealed class BackendUnavailableException(string message) : Exception(message);
