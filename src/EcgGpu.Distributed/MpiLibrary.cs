using System.Runtime.InteropServices;

namespace EcgGpu.Distributed;

/// <summary>
/// Finds and loads Open MPI's <c>libmpi</c> and the addresses of its predefined handles. The library is opened
/// with <c>RTLD_GLOBAL</c> first, because Open MPI's plugins (<c>mca_*.so</c>) resolve libmpi's symbols from the
/// global namespace and fail with "undefined symbol" when it was opened locally (as mpi4py also does).
/// </summary>
internal sealed partial class MpiLibrary
{
    /// <summary>Where to look: <c>ECG_MPI_LIBRARY</c> alone when set; otherwise Open MPI's ABI-versioned name, then the unversioned one.</summary>
    public static IReadOnlyList<string> Candidates()
        => Environment.GetEnvironmentVariable("ECG_MPI_LIBRARY") is { Length: > 0 } explicitPath ? [explicitPath]
            : OperatingSystem.IsMacOS() ? ["libmpi.40.dylib", "libmpi.dylib"] : ["libmpi.so.40", "libmpi.so"];

    private static readonly Lazy<(MpiLibrary? Library, string Reason)> Loaded = new(() => Load(Candidates(), bindCalls: true));

    private MpiLibrary(string path, nint handle)
    {
        Path = path;
        Handle = handle;
        CommWorld = Export("ompi_mpi_comm_world");
        Float = Export("ompi_mpi_float");
        Double = Export("ompi_mpi_double");
        Byte = Export("ompi_mpi_byte");
        Sum = Export("ompi_mpi_op_sum");
        Max = Export("ompi_mpi_op_max");
    }

    public string Path { get; }
    public nint Handle { get; }
    public nint CommWorld { get; }
    public nint Float { get; }
    public nint Double { get; }
    public nint Byte { get; }
    public nint Sum { get; }
    public nint Max { get; }

    /// <summary>The loaded library, or null and why not (no library, or one without Open MPI's ABI).</summary>
    public static MpiLibrary? TryGet(out string reason)
    {
        var (library, why) = Loaded.Value;
        reason = why;
        return library;
    }

    private nint Export(string name) => NativeLibrary.TryGetExport(Handle, name, out var address)
        ? address
        : throw new MpiException($"{Path} has no symbol {name}: it is not Open MPI's C ABI (libmpi.so.40); MPICH and others use integer handles, which this binding does not speak");

    /// <summary>
    /// The first candidate that loads and has Open MPI's handles, or null and why. With <paramref name="bindCalls"/>,
    /// <see cref="MpiNative"/>'s imports are bound to it (once per process).
    /// </summary>
    internal static (MpiLibrary? Library, string Reason) Load(IEnumerable<string> candidates, bool bindCalls)
    {
        var failures = new List<string>();
        foreach (var candidate in candidates)
        {
            if (!OperatingSystem.IsWindows()) OpenGlobal(candidate);
            if (!NativeLibrary.TryLoad(candidate, out var handle))
            {
                failures.Add(candidate);
                continue;
            }
            try
            {
                var library = new MpiLibrary(candidate, handle);
                if (bindCalls) NativeLibrary.SetDllImportResolver(typeof(MpiLibrary).Assembly, (name, _, _) => name == MpiNative.Library ? handle : 0);
                return (library, $"loaded {candidate}");
            }
            catch (MpiException e) { return (null, e.Message); }
        }
        return (null, $"no MPI library found (tried {string.Join(", ", failures)}); install Open MPI (Debian: apt-get install openmpi-bin libopenmpi-dev) or set ECG_MPI_LIBRARY");
    }

    private const int RtldNow = 2, RtldGlobal = 0x100;

    private static void OpenGlobal(string name)
    {
        // glibc 2.34+ has dlopen in libc.so.6; older ones in libdl.so.2. A failure here only means a local open follows.
        try { DlOpenLibc(name, RtldNow | RtldGlobal); return; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
        try { DlOpenLibdl(name, RtldNow | RtldGlobal); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    [LibraryImport("libc.so.6", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint DlOpenLibc(string file, int mode);

    [LibraryImport("libdl.so.2", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint DlOpenLibdl(string file, int mode);
}
