using System.Security.Cryptography;
using System.Text;

namespace EcgGpu.Runtime;

/// <summary>
/// Compiled kernels on disk (PTX for CUDA, program binaries for OpenCL), keyed by source hash,
/// device, driver version and options. Lives in <c>$ECG_KERNEL_CACHE</c>, else the user's cache
/// folder (<c>$XDG_CACHE_HOME/ecggpu/kernels</c> or <c>~/.cache/ecggpu/kernels</c>). Writes go to a
/// temporary file that is renamed, so a crash leaves no torn entry; any I/O trouble just means a miss.
/// </summary>
public static class KernelDiskCache
{
    /// <summary>Set <c>ECG_KERNEL_CACHE=off</c> to disable the cache.</summary>
    public static string? Directory
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("ECG_KERNEL_CACHE");
            if (string.Equals(env, "off", StringComparison.OrdinalIgnoreCase)) return null;
            if (!string.IsNullOrWhiteSpace(env)) return env;
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var root = !string.IsNullOrWhiteSpace(xdg)
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(root, "ecggpu", "kernels");
        }
    }

    /// <summary>The cache key: every input that changes the compiled result.</summary>
    public static string Key(KernelProgram program, string device, string driverVersion, string options)
    {
        var text = $"{program.Hash()}\n{device}\n{driverVersion}\n{options}";
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..40];
    }

    public static byte[]? TryRead(string key, string extension)
    {
        var dir = Directory;
        if (dir is null) return null;
        try
        {
            var path = Path.Combine(dir, key + extension);
            return File.Exists(path) ? File.ReadAllBytes(path) : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    public static void TryWrite(string key, string extension, ReadOnlySpan<byte> data)
    {
        var dir = Directory;
        if (dir is null) return;
        try
        {
            System.IO.Directory.CreateDirectory(dir);
            var path = Path.Combine(dir, key + extension);
            var temp = path + "." + Environment.ProcessId + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                fs.Write(data);
                fs.Flush(true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
