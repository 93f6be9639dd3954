namespace EcgGpu.Kernels;

/// <summary>What the managed CPU implementations of the three cells share (their step loops live in the cells' folders).</summary>
internal static class RecurrentCpu
{
    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
}
