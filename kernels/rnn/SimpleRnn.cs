using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>The SimpleRNN's part of <see cref="Recurrent"/>: the recurrence over the whole sequence, after the input GEMM.</summary>
internal static class SimpleRnn
{
    /// <summary>Gates hold x·W; afterwards x·W + b, h in Hidden.</summary>
    public static void Forward(Accelerator acc, RecurrentShape s, RecurrentWeights w, RecurrentState state)
    {
        if (Launch.IsCpu(acc))
        {
            Elementwise.BiasAdd(state.Gates, w.Bias, (int)s.Rows, s.GateWidth);
            SimpleRnnCpu.Forward(s, Launch.Array(w.U), w.RecurrentBias is null ? null : Launch.Array(w.RecurrentBias), Launch.Array(state.Gates),
                Launch.Array(state.Hidden), Launch.Parallel(acc));
            return;
        }
        var device = Launch.Device(acc);
        device.Kernels<SimpleRnnKernels.Loaded>().Forward(device, Recurrent.RowsPerGroup(device, s), Recurrent.Args(s), Launch.View(state.Gates), Launch.View(w.U),
            Launch.View(w.Bias), Launch.ViewOrEmpty(w.RecurrentBias), Launch.View(state.Hidden));
    }

    /// <summary>GateGrad (= RecurrentGateGrad) from dHidden; on a device also the per-group bias partials.</summary>
    public static void Backward(Accelerator acc, RecurrentShape s, RecurrentWeights w, RecurrentState state, DeviceBuffer<float> dHidden)
    {
        if (Launch.IsCpu(acc))
        {
            SimpleRnnCpu.Backward(s, Launch.Array(w.U), Launch.Array(state.Hidden), Launch.Array(dHidden), Launch.Array(state.GateGrad), Launch.Parallel(acc));
            return;
        }
        var device = Launch.Device(acc);
        device.Kernels<SimpleRnnKernels.Loaded>().Backward(device, Recurrent.RowsPerGroup(device, s), Recurrent.Args(s), Launch.View(state.Hidden),
            Launch.View(dHidden), Launch.View(w.U), Launch.View(state.GateGrad), Launch.View(state.BiasPartials!));
    }
}
