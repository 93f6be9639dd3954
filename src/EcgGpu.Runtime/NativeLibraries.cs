using System.Reflection;
using System.Runtime.InteropServices;

namespace EcgGpu.Runtime;

/// <summary>
/// Finds the vendor runtimes by their versioned names. The logical names used in
/// <c>[LibraryImport]</c> are <c>cuda</c>, <c>nvrtc</c> and <c>OpenCL</c>; each maps to a probe list.
/// A library that cannot be found leaves its backend "not available" with the reason kept.
/// </summary>
public static class NativeLibraries
{
    public const string Cuda = "cuda";
    public const string Nvrtc = "nvrtc";
    public const string OpenCL = "OpenCL";

    private static readonly Dictionary<string, (nint Handle, string? Error)> Loaded = new();
    private static readonly object Gate = new();
    private static int _registered;

    /// <summary>Installs the resolver for this assembly; idempotent.</summary>
    public static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path)
        => name is Cuda or Nvrtc or OpenCL ? TryLoad(name, out var handle, out _) ? handle : 0 : 0;

    /// <summary>
    /// The names tried, in order, for a logical library. An environment variable
    /// (<c>ECG_CUDA_LIBRARY</c>, <c>ECG_NVRTC_LIBRARY</c>, <c>ECG_OPENCL_LIBRARY</c>) names a file to try first.
    /// </summary>
    public static IReadOnlyList<string> Candidates(string logicalName)
    {
        var list = new List<string>();
        var overrideVar = logicalName switch { Cuda => "ECG_CUDA_LIBRARY", Nvrtc => "ECG_NVRTC_LIBRARY", OpenCL => "ECG_OPENCL_LIBRARY", _ => null };
        var over = overrideVar is null ? null : Environment.GetEnvironmentVariable(overrideVar);
        if (!string.IsNullOrWhiteSpace(over)) list.Add(over);
        if (OperatingSystem.IsWindows())
        {
            list.AddRange(logicalName switch
            {
                Cuda => ["nvcuda.dll"],
                Nvrtc => ["nvrtc64_130_0.dll", "nvrtc64_120_0.dll", "nvrtc64_112_0.dll"],
                OpenCL => ["OpenCL.dll"],
                _ => [],
            });
            return list;
        }
        switch (logicalName)
        {
            // The ICD loader's SONAME; plain libOpenCL.so is often only in the -dev package.
            case OpenCL: list.AddRange(["libOpenCL.so.1", "libOpenCL.so"]); break;
            case Cuda: list.AddRange(["libcuda.so.1", "libcuda.so"]); break;
            case Nvrtc:
                string[] sonames = ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so"];
                list.AddRange(sonames);
                // Toolkits outside the loader path: CUDA_HOME, /usr/local/cuda.
                foreach (var root in new[] { Environment.GetEnvironmentVariable("CUDA_HOME"), Environment.GetEnvironmentVariable("CUDA_PATH"), "/usr/local/cuda" })
                {
                    if (string.IsNullOrWhiteSpace(root)) continue;
                    foreach (var lib in new[] { "lib64", "lib", "targets/x86_64-linux/lib" })
                        foreach (var so in sonames) list.Add(Path.Combine(root, lib, so));
                }
                break;
        }
        return list;
    }

    /// <summary>Loads a logical library once; <paramref name="error"/> says what was tried when it fails.</summary>
    public static bool TryLoad(string logicalName, out nint handle, out string? error)
    {
        lock (Gate)
        {
            if (!Loaded.TryGetValue(logicalName, out var entry))
            {
                entry = (0, null);
                var tried = new List<string>();
                foreach (var candidate in Candidates(logicalName))
                {
                    if (NativeLibrary.TryLoad(candidate, out var h)) { entry = (h, null); break; }
                    tried.Add(candidate);
                }
                if (entry.Handle == 0) entry = (0, $"{logicalName} runtime not found (tried {string.Join(", ", tried)})");
                Loaded[logicalName] = entry;
            }
            handle = entry.Handle;
            error = entry.Error;
            return handle != 0;
        }
    }

    /// <summary>True when the named export exists (to tell driver versions apart).</summary>
    public static bool HasExport(string logicalName, string export)
        => TryLoad(logicalName, out var h, out _) && NativeLibrary.TryGetExport(h, export, out _);
}
