using ILGPU;
using ILGPU.Runtime;

namespace EcgGpu.Runtime.Ilgpu;

/// <summary>
/// A device driven by ILGPU: its CUDA, OpenCL or CPU accelerator. Buffers are ILGPU memory buffers, every
/// kernel runs on the accelerator's default stream (in order), and each kernel family is loaded once per
/// accelerator (<see cref="Kernels{TFamily}"/>), so a training step compiles and looks up nothing.
/// </summary>
public sealed class IlgpuAccelerator : Accelerator
{
    private object?[] _families = new object?[8];
    private readonly Lock _familiesLock = new();

    internal IlgpuAccelerator(DeviceInfo device, ILGPU.Runtime.Accelerator native) : base(device)
    {
        Native = native;
    }

    /// <summary>The ILGPU accelerator underneath.</summary>
    public ILGPU.Runtime.Accelerator Native { get; }

    /// <summary>The in-order stream every launch and copy of this accelerator goes to.</summary>
    public AcceleratorStream Stream => Native.DefaultStream;

    public override int MaxWorkGroupSize => Native.MaxNumThreadsPerGroup;
    public override long LocalMemoryBytes => Native.MaxSharedMemoryPerGroup;

    /// <summary>Threads of one warp (32 on NVIDIA GPUs and on ILGPU's CPU accelerator as we configure it).</summary>
    public int WarpSize => Native.WarpSize;

    /// <summary>Largest grid extent per dimension (X, Y, Z); Y and Z are 65,535 on NVIDIA GPUs.</summary>
    public Index3D MaxGridSize => Native.MaxGridSize;

    /// <summary>
    /// The kernels of one family loaded on this accelerator, created on first use and kept: a family's
    /// <c>Load</c> compiles its kernels (ILGPU caches the compiled code) and returns their launch delegates.
    /// </summary>
    public TFamily Kernels<TFamily>() where TFamily : class, IKernelFamily<TFamily>
    {
        int slot = FamilySlot<TFamily>.Index;
        var families = _families;
        if (slot < families.Length && families[slot] is TFamily loaded) return loaded;
        lock (_familiesLock)
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            if (slot >= _families.Length) Array.Resize(ref _families, Math.Max(slot + 1, _families.Length * 2));
            if (_families[slot] is TFamily again) return again;
            TFamily created;
            try { created = TFamily.Load(this); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new KernelLoadException(this, typeof(TFamily).FullName ?? typeof(TFamily).Name, e);
            }
            _families[slot] = created;
            return created;
        }
    }

    /// <summary>
    /// A launch configuration checked against this device's limits, so that a shape the GPU would refuse is
    /// refused on every accelerator (ILGPU's CPU accelerator included) with the kernel named.
    /// </summary>
    public KernelConfig Config(string kernel, Index3D grid, Index3D group, int dynamicSharedBytes = 0)
    {
        var max = MaxGridSize;
        if (grid.X < 1 || grid.Y < 1 || grid.Z < 1 || grid.X > max.X || grid.Y > max.Y || grid.Z > max.Z)
            throw new ArgumentOutOfRangeException(nameof(grid), $"{this}: kernel '{kernel}' grid {grid} exceeds the device's grid limits {max}");
        if (group.Size > MaxWorkGroupSize || group.Size < 1)
            throw new ArgumentOutOfRangeException(nameof(group), $"{this}: kernel '{kernel}' group {group} ({group.Size} threads) exceeds the device's {MaxWorkGroupSize} threads per group");
        return dynamicSharedBytes == 0
            ? new KernelConfig(grid, group)
            : new KernelConfig(grid, group, SharedMemoryConfig.RequestDynamic<byte>(dynamicSharedBytes));
    }

    protected override DeviceBuffer<T> AllocateCore<T>(long length)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        try { return new IlgpuBuffer<T>(this, length); }
        catch (Exception e) when (e is AcceleratorException or OutOfMemoryException)
        {
            throw new DeviceOperationException(this, $"allocating {length} elements of {typeof(T).Name}", e);
        }
    }

    public override void Synchronize() => Stream.Synchronize();

    public override DeviceEvent RecordEvent() => new IlgpuEvent(Stream.AddProfilingMarker());

    protected override void DisposeCore()
    {
        lock (_familiesLock) Array.Clear(_families);
        Native.Dispose();
    }

    private sealed class IlgpuEvent(ProfilingMarker marker) : DeviceEvent
    {
        public ProfilingMarker Marker { get; } = marker;

        public override double ElapsedMillisecondsSince(DeviceEvent start)
        {
            Marker.Synchronize();
            return Marker.MeasureFrom(((IlgpuEvent)start).Marker).TotalMilliseconds;
        }

        public override void Dispose() => Marker.Dispose();
    }
}

/// <summary>
/// The kernels of one family as loaded on one accelerator: a class whose fields are ILGPU launch delegates,
/// built once by <see cref="Load"/> and kept by <see cref="IlgpuAccelerator.Kernels{TFamily}"/>.
/// </summary>
public interface IKernelFamily<TSelf> where TSelf : class, IKernelFamily<TSelf>
{
    /// <summary>Compiles and loads the family's kernels on <paramref name="accelerator"/>.</summary>
    static abstract TSelf Load(IlgpuAccelerator accelerator);
}

/// <summary>A process-wide slot number per family type: the lookup in a launch is one array read.</summary>
internal static class FamilySlot
{
    private static int _next = -1;
    public static int Next() => Interlocked.Increment(ref _next);
}

internal static class FamilySlot<TFamily>
{
    public static readonly int Index = FamilySlot.Next();
}
