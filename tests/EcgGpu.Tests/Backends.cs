using EcgGpu.Runtime;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>Opens an accelerator of a backend for a fixture, or skips the fixture saying why.</summary>
internal static class Backends
{
    private static readonly Lazy<Context> SharedContext = new(Context.Create);

    public static Context Context => SharedContext.Value;

    public static string[] Names => ["cpu", "ilgpu-cpu", "opencl", "cuda"];

    /// <summary>The first device of the backend; Assert.Ignore (a skip with the reason) when there is none.</summary>
    public static Accelerator Open(string backend)
    {
        if (!AcceleratorKindNames.TryParse(backend, out var kind)) throw new ArgumentException(backend);
        var device = Context.OfKind(kind).FirstOrDefault();
        if (device is null)
        {
            var reason = Context.Unavailable.TryGetValue(kind, out var r) ? r : "no device";
            Assert.Ignore($"{backend} backend not available here: {reason}");
        }
        return device!.CreateAccelerator();
    }
}
