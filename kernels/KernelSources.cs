using System.Collections.Concurrent;
using System.Reflection;
using EcgGpu.Runtime;
using EcgGpu.Runtime.Cpu;

namespace EcgGpu.Kernels;

/// <summary>
/// Reads the device sources embedded in this assembly (<c>family/file.cl</c>) and pairs them with the
/// prelude of the accelerator's backend, so that one kernel text serves OpenCL and CUDA.
/// </summary>
public static class KernelSources
{
    private static readonly ConcurrentDictionary<string, string> Texts = new();
    private static readonly IReadOnlyDictionary<string, string> NoDefines = new Dictionary<string, string>();

    /// <summary>An embedded source file by its path under kernels/.</summary>
    public static string Read(string path) => Texts.GetOrAdd(path, p =>
    {
        using var stream = typeof(KernelSources).Assembly.GetManifestResourceStream(p)
            ?? throw new FileNotFoundException($"kernel source '{p}' is not embedded in {typeof(KernelSources).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>The names of every embedded device source (for tools that compile them all).</summary>
    public static IEnumerable<string> All() => typeof(KernelSources).Assembly.GetManifestResourceNames().Where(n => n.EndsWith(".cl", StringComparison.Ordinal)).Order(StringComparer.Ordinal);

    /// <summary>The backend's dialect header followed by the device helpers every family shares.</summary>
    public static string Prelude(AcceleratorKind kind) => kind switch
    {
        AcceleratorKind.OpenCL => Read("prelude/opencl.h") + "\n" + Read("prelude/common.h"),
        AcceleratorKind.Cuda => Read("prelude/cuda.h") + "\n" + Read("prelude/common.h"),
        _ => throw new NotSupportedException($"the {kind.ToCliName()} backend compiles no device code"),
    };

    public static KernelProgram Program(AcceleratorKind kind, string path, IReadOnlyDictionary<string, string>? defines = null)
        => new(path, Prelude(kind), Read(path), defines ?? NoDefines);

    /// <summary>The named kernel of a source file, compiled for <paramref name="accelerator"/> (cached there).</summary>
    public static DeviceKernel Kernel(Accelerator accelerator, string path, string name, IReadOnlyDictionary<string, string>? defines = null)
        => accelerator.GetKernel(Program(accelerator.Kind, path, defines), name);
}

/// <summary>Helpers the launchers share.</summary>
internal static class Launch
{
    /// <summary>A 1-D work-group size for simple element-wise kernels.</summary>
    public static int Local1D(Accelerator a) => Math.Min(256, a.MaxWorkGroupSize);

    public static bool IsCpu(Accelerator a) => a.Kind == AcceleratorKind.Cpu;

    public static Span<T> Span<T>(DeviceBuffer<T> buffer) where T : unmanaged
        => buffer is CpuBuffer<T> cpu ? cpu.Span : throw new InvalidOperationException("not a CPU buffer");

    public static T[] Array<T>(DeviceBuffer<T> buffer) where T : unmanaged
        => buffer is CpuBuffer<T> cpu ? cpu.Array : throw new InvalidOperationException("not a CPU buffer");

    public static ParallelOptions Parallel(Accelerator a)
        => a is CpuAccelerator cpu ? cpu.ParallelOptions : new ParallelOptions();

    /// <summary>All buffers must live on one accelerator; returns it.</summary>
    public static Accelerator Same(params ReadOnlySpan<DeviceMemory> buffers)
    {
        var a = buffers[0].Accelerator;
        foreach (var b in buffers)
            if (!ReferenceEquals(b.Accelerator, a))
                throw new ArgumentException($"buffers belong to different accelerators ({a} and {b.Accelerator})");
        return a;
    }

    public static void Require(bool condition, string message, string argument)
    {
        if (!condition) throw new ArgumentException(message, argument);
    }

    public static void AtLeast<T>(DeviceBuffer<T> buffer, long length, string argument) where T : unmanaged
    {
        if (buffer.Length < length) throw new ArgumentException($"{argument} holds {buffer.Length} elements, needs {length}", argument);
    }
}
