using System.Buffers;

namespace EcgGpu.Kernels;

/// <summary>
/// A zeroed array rented from the shared pool for the span of one CPU pass, so the recurrent step
/// loops allocate nothing per training step. Dispose returns it.
/// </summary>
internal readonly struct PooledScratch(int length) : IDisposable
{
    public float[] Array { get; } = Rent(length);

    private static float[] Rent(int length)
    {
        var a = ArrayPool<float>.Shared.Rent(length);
        System.Array.Clear(a, 0, length);
        return a;
    }

    public void Dispose() => ArrayPool<float>.Shared.Return(Array);

    public static implicit operator float[](PooledScratch s) => s.Array;
}
