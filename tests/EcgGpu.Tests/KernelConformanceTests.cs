using EcgGpu.Kernels;
using EcgGpu.Runtime;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>
/// Every kernel family on one backend against the plain C# reference (the same descriptors as
/// <c>ecg verify</c>). Bound once per backend; device backends skip where absent.
/// </summary>
[TestFixture("cpu")]
[TestFixture("ilgpu-cpu")]
[TestFixture("opencl")]
[TestFixture("cuda")]
public sealed class KernelConformanceTests(string backend)
{
    private Accelerator? _acc;

    [OneTimeSetUp]
    public void Open() => _acc = Backends.Open(backend);

    [OneTimeTearDown]
    public void Close() => _acc?.Dispose();

    public static IEnumerable<string> Families => KernelChecks.Families;

    [TestCaseSource(nameof(Families))]
    public void Family_matches_reference(string family)
    {
        var results = KernelChecks.Run(_acc!, family).ToList();
        Assert.That(results, Is.Not.Empty, $"{family} ran no check");
        var failures = results.Where(r => !r.Passed).Select(r => r.ToString()).ToList();
        TestContext.Out.WriteLine($"{family} on {_acc}: {results.Count} outputs compared, worst abs error {results.Max(r => r.MaxAbsError):E2}");
        Assert.That(failures, Is.Empty, string.Join("\n", failures));
    }

    [Test]
    public void Buffers_upload_download_copy_fill_with_offsets()
    {
        using var a = _acc!.Allocate<float>(10);
        a.Upload([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        a.Upload([42, 43], offset: 8);
        var part = new float[3];
        a.Download(part, offset: 7);
        Assert.That(part, Is.EqualTo(new float[] { 8, 42, 43 }));
        using var b = _acc.Allocate<float>(4);
        b.Fill(-1.5f);
        Assert.That(b.ToArray(), Is.EqualTo(new[] { -1.5f, -1.5f, -1.5f, -1.5f }));
        b.CopyFrom(a, sourceOffset: 2, offset: 1, count: 2);
        Assert.That(b.ToArray(), Is.EqualTo(new[] { -1.5f, 3f, 4f, -1.5f }));
        using var ints = _acc.Allocate<int>(3);
        ints.Fill(7);
        Assert.That(ints.ToArray(), Is.EqualTo(new[] { 7, 7, 7 }));
        using var empty = _acc.Allocate<float>(0);
        Assert.That(empty.ToArray(), Is.Empty);
    }

    [Test]
    public void Device_memory_is_counted_held_peak_and_allocations()
    {
        var memory = _acc!.Memory;
        long held = memory.CurrentBytes, count = memory.Allocations;
        memory.ResetPeak();
        using (var a = _acc.Allocate<float>(1000))
        using (var b = _acc.Allocate<int>(10))
        {
            Assert.That(memory.CurrentBytes - held, Is.EqualTo(4040));
            Assert.That(memory.Allocations - count, Is.EqualTo(2));
        }
        Assert.That(memory.CurrentBytes, Is.EqualTo(held), "released on Dispose");
        Assert.That(memory.PeakBytes - held, Is.EqualTo(4040));
        var c = _acc.Allocate<float>(1);
        c.Dispose();
        c.Dispose();
        Assert.That(memory.CurrentBytes, Is.EqualTo(held), "a second Dispose releases nothing");
    }

    [Test]
    public void Out_of_range_transfers_are_refused_with_the_range()
    {
        using var a = _acc!.Allocate<float>(4);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => a.Upload(new float[3], offset: 2));
        Assert.That(e!.Message, Does.Contain("[2, 5)").And.Contain("4 elements"));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Download(new float[5]));
    }

    [Test]
    public void Disposed_buffers_cannot_be_used()
    {
        var a = _acc!.Allocate<float>(4);
        a.Dispose();
        a.Dispose(); // idempotent
        Assert.Throws<ObjectDisposedException>(() => a.Fill(1f));
    }

    [Test]
    public void Kernel_shapes_are_validated_before_launch()
    {
        using var small = _acc!.Allocate<float>(3);
        using var big = _acc.Allocate<float>(100);
        var e = Assert.Throws<ArgumentException>(() => Kernels.Gemm.Run(false, false, 10, 10, 10, 1f, small, big, 0f, big));
        Assert.That(e!.Message, Does.Contain("holds 3 elements, needs 100"));
    }

    [Test]
    public void Events_measure_nonnegative_time()
    {
        using var x = _acc!.Allocate<float>(1 << 16);
        x.Fill(1f);
        using var start = _acc.RecordEvent();
        Kernels.Elementwise.Scale(2f, x, x);
        using var end = _acc.RecordEvent();
        _acc.Synchronize();
        Assert.That(end.ElapsedMillisecondsSince(start), Is.GreaterThanOrEqualTo(0));
        Assert.That(x.ToArray()[^1], Is.EqualTo(2f));
    }
}
