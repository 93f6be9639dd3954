using EcgGpu.Kernels;
using System.Diagnostics;
using EcgGpu.Runtime;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>
/// Without a GPU the CUDA side of the kernel dialect is still compiled: every device source, behind
/// the CUDA prelude, goes through clang's CUDA front end (device side, syntax and types only), with a
/// stub that declares what NVRTC provides built in. NVRTC itself runs only where a GPU is
/// (<c>ecg verify --backend cuda</c>).
/// </summary>
public sealed class CudaDialectTests
{
    private const string NvrtcBuiltins = """
        #define __global__ __attribute__((global))
        #define __device__ __attribute__((device))
        #define __shared__ __attribute__((shared))
        #include <__clang_cuda_builtin_vars.h>
        __device__ void __syncthreads();
        __device__ int atomicAdd(int*, int);
        __device__ unsigned int __umulhi(unsigned int, unsigned int);
        __device__ float __int_as_float(int);
        __device__ float expf(float); __device__ float logf(float); __device__ float tanhf(float);
        __device__ float sqrtf(float); __device__ float fabsf(float); __device__ float powf(float, float);
        __device__ float fmaxf(float, float); __device__ float fminf(float, float);
        """;

    private static string? Clang()
    {
        foreach (var name in new[] { "clang++", "clang++-14", "clang++-15", "clang++-16", "clang++-17", "clang++-18", "clang++-19" })
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
                if (File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        return null;
    }

    public static IEnumerable<string> Sources => KernelSources.All();

    [TestCaseSource(nameof(Sources))]
    public void Compiles_as_CUDA_device_code(string path)
    {
        var clang = Clang();
        if (clang is null) Assert.Ignore("clang++ not installed: the CUDA dialect check needs clang's CUDA front end");
        var dir = Directory.CreateTempSubdirectory("ecg-cuda-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "nvrtc_builtins.h"), NvrtcBuiltins);
            var program = KernelSources.Program(AcceleratorKind.Cuda, path, new Dictionary<string, string>
            {
                ["TS"] = "16", ["REDUCE_WG"] = "256", ["BN_WG"] = "256", ["HIST_MAX"] = "2048", ["SOFTMAX_WG"] = "64", ["HID"] = "32", ["BPG"] = "2",
            });
            var file = Path.Combine(dir.FullName, "kernel.cu");
            File.WriteAllText(file, program.FullText());
            var psi = new ProcessStartInfo(clang)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                WorkingDirectory = dir.FullName,
            };
            foreach (var a in new[] { "-x", "cuda", "--cuda-device-only", "--cuda-gpu-arch=sm_70", "-nocudainc", "-nocudalib", "-fsyntax-only", "-std=c++14", "-Werror=implicit-function-declaration", "-include", "nvrtc_builtins.h", file })
                psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0 && stderr.Contains("GPU arch", StringComparison.Ordinal))
                Assert.Ignore($"this clang cannot target CUDA: {stderr.Trim()}");
            Assert.That(p.ExitCode, Is.EqualTo(0), $"{path} does not compile as CUDA C++:\n{stderr}");
        }
        finally { dir.Delete(true); }
    }
}
