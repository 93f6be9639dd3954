namespace EcgGpu.Runtime;

/// <summary>A 1-, 2- or 3-dimensional launch extent, counted in work-items (threads), as OpenCL counts them.</summary>
public readonly record struct NDRange(long X, long Y = 1, long Z = 1)
{
    public int Dimensions => Z > 1 ? 3 : Y > 1 ? 2 : 1;
    public long Total => X * Y * Z;

    /// <summary>Rounds each extent up to a multiple of <paramref name="local"/>; kernels guard against the excess.</summary>
    public NDRange RoundUpTo(NDRange local) => new(RoundUp(X, local.X), RoundUp(Y, local.Y), RoundUp(Z, local.Z));

    public static long RoundUp(long n, long multiple) => n <= 0 ? multiple : (n + multiple - 1) / multiple * multiple;

    public static implicit operator NDRange(long x) => new(x);
    public static implicit operator NDRange(int x) => new(x);
}
