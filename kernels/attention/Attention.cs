using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>The shape of Keras <c>Attention()([query, value])</c>: query (N, Lq, D), value (N, Lk, D), also the keys.</summary>
public readonly record struct AttentionShape(int N, int Lq, int Lk, int D)
{
    public long ScoreLength => (long)N * Lq * Lk;
    public long QueryLength => (long)N * Lq * D;
    public long ValueLength => (long)N * Lk * D;

    internal void Validate()
    {
        if (N <= 0 || Lq <= 0 || Lk <= 0 || D <= 0) throw new ArgumentOutOfRangeException(nameof(AttentionShape), $"attention shape must be positive: {this}");
    }
}

/// <summary>
/// Dot-product attention: weights = softmax(scale · Q Vᵀ) over the keys (max subtracted), output =
/// weights · V. Keras <c>Attention()</c> is unscaled (scale = 1); 1/√D gives the scaled variant.
/// </summary>
public static class Attention
{
    /// <summary>
    /// Forward. <paramref name="weights"/> (N, Lq, Lk) receives the attention weights, which the backward
    /// pass needs; <paramref name="mask"/> (N, Lk), 1 = attend and 0 = padded, is optional.
    /// </summary>
    public static void Forward(AttentionShape s, DeviceBuffer<float> query, DeviceBuffer<float> value, float scale,
        DeviceBuffer<float>? mask, DeviceBuffer<float> weights, DeviceBuffer<float> output)
    {
        var acc = Check(s, query, value, weights);
        ArgumentChecks.Same(query, output);
        ArgumentChecks.AtLeast(output, s.QueryLength, nameof(output));
        if (mask is not null)
        {
            ArgumentChecks.Same(query, mask);
            ArgumentChecks.AtLeast(mask, (long)s.N * s.Lk, nameof(mask));
        }
        Gemm.RunBatched(s.N, false, true, s.Lq, s.Lk, s.D, scale, query, value, 0f, weights);
        if (Dispatch.IsCpu(acc))
        {
            if (mask is not null) AttentionCpu.Mask(s.N, s.Lq, s.Lk, BufferAccess.Span(weights), BufferAccess.Span(mask));
            Softmax.Forward(s.N * s.Lq, s.Lk, weights, weights);
        }
        else
        {
            // The mask is applied as the softmax reads the scores: one pass over them instead of two.
            var device = Dispatch.Device(acc);
            device.Kernels<AttentionKernels.Loaded>().Forward(device, Rows(s), BufferAccess.View(weights), BufferAccess.ViewOrEmpty(mask));
        }
        Gemm.RunBatched(s.N, false, false, s.Lq, s.D, s.Lk, 1f, weights, value, 0f, output);
    }

    /// <summary>
    /// Backward from dOutput (N, Lq, D): dQuery and dValue (overwritten). <paramref name="scratch"/>
    /// (N, Lq, Lk) holds the score gradient. For self-attention (query = value) the input's gradient is
    /// dQuery + dValue.
    /// </summary>
    public static void Backward(AttentionShape s, DeviceBuffer<float> query, DeviceBuffer<float> value, float scale,
        DeviceBuffer<float> weights, DeviceBuffer<float> dOutput, DeviceBuffer<float> dQuery, DeviceBuffer<float> dValue, DeviceBuffer<float> scratch)
    {
        var acc = Check(s, query, value, weights);
        ArgumentChecks.Same(query, dOutput, dQuery, dValue, scratch);
        ArgumentChecks.AtLeast(dOutput, s.QueryLength, nameof(dOutput));
        ArgumentChecks.AtLeast(dQuery, s.QueryLength, nameof(dQuery));
        ArgumentChecks.AtLeast(dValue, s.ValueLength, nameof(dValue));
        ArgumentChecks.AtLeast(scratch, s.ScoreLength, nameof(scratch));
        // dWeights = dOut · Vᵀ, then through the softmax (in place) to the scores.
        Gemm.RunBatched(s.N, false, true, s.Lq, s.Lk, s.D, 1f, dOutput, value, 0f, scratch);
        if (Dispatch.IsCpu(acc)) Softmax.Backward(s.N * s.Lq, s.Lk, weights, scratch, scratch);
        else
        {
            var device = Dispatch.Device(acc);
            device.Kernels<AttentionKernels.Loaded>().Backward(device, Rows(s), BufferAccess.View(weights), BufferAccess.View(scratch));
        }
        // dQ = scale · dS · V;  dV = Pᵀ · dOut + scale · dSᵀ · Q.
        Gemm.RunBatched(s.N, false, false, s.Lq, s.D, s.Lk, scale, scratch, value, 0f, dQuery);
        Gemm.RunBatched(s.N, true, false, s.Lk, s.D, s.Lq, 1f, weights, dOutput, 0f, dValue);
        Gemm.RunBatched(s.N, true, false, s.Lk, s.D, s.Lq, scale, scratch, query, 1f, dValue);
    }

    /// <summary>The score rows, with the segment of threads per row: the power of two at or above Lk, at most a group.</summary>
    private static AttentionKernels.Rows Rows(AttentionShape s)
    {
        int segment = 1;
        while (segment < s.Lk && segment < AttentionKernels.Threads) segment *= 2;
        return new() { Count = s.N * s.Lq, Length = s.Lk, Lq = s.Lq, Segment = segment };
    }

    private static Accelerator Check(AttentionShape s, DeviceBuffer<float> query, DeviceBuffer<float> value, DeviceBuffer<float> weights)
    {
        s.Validate();
        var acc = ArgumentChecks.Same(query, value, weights);
        ArgumentChecks.AtLeast(query, s.QueryLength, nameof(query));
        ArgumentChecks.AtLeast(value, s.ValueLength, nameof(value));
        ArgumentChecks.AtLeast(weights, s.ScoreLength, nameof(weights));
        return acc;
    }
}
