using System.Runtime.InteropServices;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using EcgGpu.Runtime;

namespace EcgGpu.Benchmarks;

/// <summary>Backends present on this machine, plus the devices to open for them.</summary>
public static class BenchBackends
{
    private static readonly Lazy<Context> Ctx = new(Context.Create);

    /// <summary>
    /// cpu, opencl and cuda where present; ilgpu-cpu (ILGPU's kernels on emulated GPU threads, a correctness
    /// device orders of magnitude slower) only when <c>ECG_BENCH_TARGETS</c> names it.
    /// </summary>
    public static IEnumerable<string> Available()
    {
        var named = Environment.GetEnvironmentVariable("ECG_BENCH_TARGETS") ?? "";
        foreach (var kind in new[] { AcceleratorKind.Cpu, AcceleratorKind.IlgpuCpu, AcceleratorKind.OpenCL, AcceleratorKind.Cuda })
        {
            if (kind == AcceleratorKind.IlgpuCpu && !named.Contains("ilgpu-cpu", StringComparison.OrdinalIgnoreCase)) continue;
            if (Ctx.Value.OfKind(kind).Any()) yield return kind.ToCliName();
        }
    }

    /// <summary>Keeps the targets named in <c>ECG_BENCH_TARGETS</c> (comma-separated), or all.</summary>
    public static IEnumerable<string> Filter(IEnumerable<string> targets)
    {
        var only = Environment.GetEnvironmentVariable("ECG_BENCH_TARGETS");
        if (string.IsNullOrWhiteSpace(only)) return targets;
        var keep = only.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return targets.Where(t => keep.Contains(t, StringComparer.OrdinalIgnoreCase));
    }

    public static Accelerator Open(string backend)
    {
        AcceleratorKindNames.TryParse(backend, out var kind);
        return Ctx.Value.Select(kind).CreateAccelerator();
    }

    public static string Describe(string backend)
    {
        AcceleratorKindNames.TryParse(backend, out var kind);
        return Ctx.Value.OfKind(kind).FirstOrDefault()?.Name ?? "absent";
    }
}

/// <summary>Benchmarks that know their floating-point work, for the GFLOP/s column.</summary>
public interface IFlopCount
{
    double Flops(BenchmarkCase benchmarkCase);
}

/// <summary>Benchmarks that know the bytes they must move at least, for the GB/s column.</summary>
public interface IByteCount
{
    double Bytes(BenchmarkCase benchmarkCase);
}

/// <summary>
/// A custom column: the work a benchmark case states (flops, bytes) over its mean time in ns, i.e. G-units per
/// second. The benchmark class is instantiated to ask for the work of a case.
/// </summary>
public abstract class RateColumn(string id, string name, string legend) : IColumn
{
    public string Id => id;
    public string ColumnName => name;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => legend;
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    protected abstract double Work(object benchmark, BenchmarkCase benchmarkCase);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is null) return "-";
        double work = Work(Activator.CreateInstance(benchmarkCase.Descriptor.Type)!, benchmarkCase);
        return (work / report.ResultStatistics.Mean).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>GFLOP/s = work / mean time.</summary>
public sealed class GflopsColumn() : RateColumn("GFLOPS", "GFLOP/s", "Floating-point operations per second, from the mean time")
{
    protected override double Work(object benchmark, BenchmarkCase c) => ((IFlopCount)benchmark).Flops(c);
}

/// <summary>GB/s = bytes read and written (each once) / mean time: memory-bound kernels measured against the memory.</summary>
public sealed class GbpsColumn() : RateColumn("GBPS", "GB/s", "Bytes read and written at least once, per second, from the mean time")
{
    protected override double Work(object benchmark, BenchmarkCase c) => ((IByteCount)benchmark).Bytes(c);
}

/// <summary>OpenBLAS <c>cblas_sgemm</c> (Debian libopenblas0), the CPU baseline, when installed.</summary>
public static unsafe partial class OpenBlas
{
    private const string Library = "libopenblas.so.0";
    public const int RowMajor = 101, NoTrans = 111, Trans = 112;

    public static bool IsAvailable { get; } = NativeLibrary.TryLoad(Library, out _);

    [LibraryImport(Library)]
    public static partial void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

    [LibraryImport(Library)]
    public static partial int openblas_get_num_threads();
}
