using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>The LSTM's part of <see cref="Recurrent"/>: the recurrence over the whole sequence, after the input GEMM.</summary>
internal static class Lstm
{
    /// <summary>Gates hold x·W; afterwards the activated gates, c in Aux, h in Hidden.</summary>
    public static void Forward(Accelerator acc, RecurrentShape s, RecurrentWeights w, RecurrentState state)
    {
        if (Launch.IsCpu(acc))
        {
            Elementwise.BiasAdd(state.Gates, w.Bias, (int)s.Rows, s.GateWidth);
            LstmCpu.Forward(s, Launch.Array(w.U), w.RecurrentBias is null ? null : Launch.Array(w.RecurrentBias), Launch.Array(state.Gates),
                Launch.Array(state.Hidden), Launch.Array(state.Aux!), Launch.Parallel(acc));
            return;
        }
        var device = Launch.Device(acc);
        device.Kernels<LstmKernels.Loaded>().Forward(device, Recurrent.RowsPerGroup(device, s), Recurrent.Args(s), Launch.View(state.Gates), Launch.View(w.U),
            Launch.View(w.Bias), Launch.ViewOrEmpty(w.RecurrentBias), Launch.View(state.Hidden), Launch.View(state.Aux!));
    }

    /// <summary>GateGrad (= RecurrentGateGrad) from dHidden; on a device also the per-group bias partials.</summary>
    public static void Backward(Accelerator acc, RecurrentShape s, RecurrentWeights w, RecurrentState state, DeviceBuffer<float> dHidden)
    {
        if (Launch.IsCpu(acc))
        {
            LstmCpu.Backward(s, Launch.Array(w.U), Launch.Array(state.Gates), Launch.Array(state.Aux!), Launch.Array(dHidden), Launch.Array(state.GateGrad), Launch.Parallel(acc));
            return;
        }
        var device = Launch.Device(acc);
        device.Kernels<LstmKernels.Loaded>().Backward(device, Recurrent.RowsPerGroup(device, s), Recurrent.Args(s), Launch.View(state.Gates), Launch.View(state.Aux!),
            Launch.View(dHidden), Launch.View(w.U), Launch.View(state.GateGrad), Launch.View(state.BiasPartials!));
    }
}
