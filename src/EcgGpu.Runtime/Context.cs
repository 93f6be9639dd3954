using EcgGpu.Runtime.Cpu;
using EcgGpu.Runtime.Cuda;
using EcgGpu.Runtime.OpenCL;

namespace EcgGpu.Runtime;

/// <summary>
/// Lists every device this process can use: the CPU, each OpenCL device of each platform, each CUDA
/// device. A backend whose runtime is missing or fails contributes no devices, and the reason is
/// kept in <see cref="Unavailable"/> rather than thrown.
/// </summary>
public sealed class Context
{
    private Context(IReadOnlyList<DeviceInfo> devices, IReadOnlyDictionary<AcceleratorKind, string> unavailable)
    {
        Devices = devices;
        Unavailable = unavailable;
    }

    public IReadOnlyList<DeviceInfo> Devices { get; }

    /// <summary>Why a backend has no devices (library not found, no platform, driver error).</summary>
    public IReadOnlyDictionary<AcceleratorKind, string> Unavailable { get; }

    /// <summary>Probes all backends. Cheap enough to call once per process.</summary>
    public static Context Create()
    {
        NativeLibraries.EnsureRegistered();
        var devices = new List<DeviceInfo> { CpuDevice.Describe(0) };
        var unavailable = new Dictionary<AcceleratorKind, string>();
        Probe(AcceleratorKind.OpenCL, OpenClDevices, devices, unavailable);
        Probe(AcceleratorKind.Cuda, CudaDevices, devices, unavailable);
        for (int i = 0; i < devices.Count; i++) devices[i].Index = i;
        return new Context(devices, unavailable);
    }

    private static void Probe(AcceleratorKind kind, Func<List<DeviceInfo>> probe, List<DeviceInfo> devices, Dictionary<AcceleratorKind, string> unavailable)
    {
        try
        {
            var found = probe();
            if (found.Count == 0) unavailable[kind] = "no devices found";
            devices.AddRange(found);
        }
        catch (BackendUnavailableException e) { unavailable[kind] = e.Message; }
        catch (NativeCallException e) { unavailable[kind] = e.Message; }
        catch (DllNotFoundException e) { unavailable[kind] = e.Message; }
        catch (EntryPointNotFoundException e) { unavailable[kind] = $"runtime too old: {e.Message}"; }
    }

    /// <summary>The devices of one backend, in <see cref="DeviceInfo.KindIndex"/> order.</summary>
    public IEnumerable<DeviceInfo> OfKind(AcceleratorKind kind) => Devices.Where(d => d.Kind == kind);

    /// <summary>The preferred device: a CUDA GPU, else an OpenCL GPU, else the CPU.</summary>
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

    private static unsafe List<DeviceInfo> OpenClDevices()
    {
        if (!NativeLibraries.TryLoad(NativeLibraries.OpenCL, out _, out var error)) throw new BackendUnavailableException(error!);
        var result = new List<DeviceInfo>();
        uint count;
        int code = Cl.clGetPlatformIDs(0, null, &count);
        if (code == -1001 || count == 0) throw new BackendUnavailableException("the OpenCL ICD loader found no platform (install a driver, or PoCL: apt-get install pocl-opencl-icd)");
        Cl.Check(code, "clGetPlatformIDs");
        var platforms = new nint[count];
        fixed (nint* p = platforms) Cl.Check(Cl.clGetPlatformIDs(count, p, null), "clGetPlatformIDs");
        foreach (var platform in platforms)
        {
            uint n;
            code = Cl.clGetDeviceIDs(platform, Cl.DeviceTypeAll, 0, null, &n);
            if (code == -1 || n == 0) continue; // CL_DEVICE_NOT_FOUND: an empty platform is not an error
            Cl.Check(code, "clGetDeviceIDs");
            var ids = new nint[n];
            fixed (nint* d = ids) Cl.Check(Cl.clGetDeviceIDs(platform, Cl.DeviceTypeAll, n, d, null), "clGetDeviceIDs");
            var platformName = Cl.PlatformString(platform, Cl.PlatformName);
            foreach (var id in ids)
            {
                var type = Cl.DeviceValue<ulong>(id, Cl.DeviceType);
                var name = Cl.DeviceString(id, Cl.DeviceName);
                var vendor = Cl.DeviceString(id, Cl.DeviceVendor);
                var driver = $"{platformName} {Cl.DeviceString(id, Cl.DeviceVersion)} driver {Cl.DeviceString(id, Cl.DriverVersion)}";
                var memory = (long)Cl.DeviceValue<ulong>(id, Cl.DeviceGlobalMemSize);
                var units = (int)Cl.DeviceValue<uint>(id, Cl.DeviceMaxComputeUnits);
                DeviceInfo? info = null;
                var (plat, dev) = (platform, id);
                info = new DeviceInfo(AcceleratorKind.OpenCL, result.Count, name, vendor, memory, units, driver,
                    (type & Cl.DeviceTypeGpu) != 0, () => new OpenClAccelerator(info!, plat, dev));
                result.Add(info);
            }
        }
        return result;
    }

    private static unsafe List<DeviceInfo> CudaDevices()
    {
        if (!NativeLibraries.TryLoad(NativeLibraries.Cuda, out _, out var error)) throw new BackendUnavailableException(error!);
        int code = Cu.cuInit(0);
        if (code == 100) throw new BackendUnavailableException("the CUDA driver reports no device (CUDA_ERROR_NO_DEVICE)");
        Cu.Check(code, "cuInit");
        int version, count;
        Cu.Check(Cu.cuDriverGetVersion(&version), "cuDriverGetVersion");
        Cu.Check(Cu.cuDeviceGetCount(&count), "cuDeviceGetCount");
        var result = new List<DeviceInfo>();
        var nvrtc = NativeLibraries.TryLoad(NativeLibraries.Nvrtc, out _, out var nvrtcError) ? null : nvrtcError;
        for (int ordinal = 0; ordinal < count; ordinal++)
        {
            int dev;
            Cu.Check(Cu.cuDeviceGet(&dev, ordinal), "cuDeviceGet");
            var nameBytes = new byte[256];
            fixed (byte* n = nameBytes) Cu.Check(Cu.cuDeviceGetName(n, nameBytes.Length, dev), "cuDeviceGetName");
            nuint memory;
            Cu.Check(Cu.cuDeviceTotalMem(&memory, dev), "cuDeviceTotalMem");
            int sms, major, minor;
            Cu.Check(Cu.cuDeviceGetAttribute(&sms, Cu.AttrMultiprocessorCount, dev), "cuDeviceGetAttribute");
            Cu.Check(Cu.cuDeviceGetAttribute(&major, Cu.AttrComputeCapabilityMajor, dev), "cuDeviceGetAttribute");
            Cu.Check(Cu.cuDeviceGetAttribute(&minor, Cu.AttrComputeCapabilityMinor, dev), "cuDeviceGetAttribute");
            var driver = $"CUDA driver {version / 1000}.{version % 1000 / 10}, sm_{major}{minor}" + (nvrtc is null ? "" : $" (cannot compile: {nvrtc})");
            DeviceInfo? info = null;
            int ord = ordinal;
            info = new DeviceInfo(AcceleratorKind.Cuda, ordinal, Cl.DecodeString(nameBytes), "NVIDIA", (long)memory, sms, driver,
                isGpu: true, () => new CudaAccelerator(info!, ord));
            result.Add(info);
        }
        return result;
    }
}

/// <summary>A requested backend has no usable device; the message says why and what is available.</summary>
public sealed class BackendUnavailableException(string message) : Exception(message);
