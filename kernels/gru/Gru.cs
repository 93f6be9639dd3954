using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>The GRU's part of <see cref="Recurrent"/>: the recurrence over the whole sequence, after the input GEMM.</summary>
internal static class Gru
{
    /// <summary>Gates hold x·W; afterwards the activated gates, U_n h + c_n in Aux, h in Hidden.</summary>
    public static void Forward(Accelerator acc, RecurrentShape s, RecurrentWeights w, RecurrentState state)
    {
        if (Launch.IsCpu(acc))
        {
            Elementwise.BiasAdd(state.Gates, w.Bias, (int)s.Rows, s.GateWidth);
            GruCpu.Forward(s, Launch.Array(w.U), w.RecurrentBias is null ? null : Launch.Array(w.RecurrentBias), Launch.Array(state.Gates),
                Launch.Array(state.Hidden), Launch.Array(state.Aux!), Launch.Parallel(acc));
            return;
        }
        var device = Launch.Device(acc);
        device.Kernels<GruKernels.Loaded>().Forward(device, Recurrent.RowsPerGroup(device, s), Recurrent.Args(s), Launch.View(state.Gates), Launch.View(w.U),
            Launch.View(w.Bias), Launch.ViewOrEmpty(w.RecurrentBias), Launch.View(state.Hidden), Launch.View(state.Aux!));
    }

    /// <summary>GateGrad (input side) and RecurrentGateGrad from dHidden; on a device also the per-group bias partials.</summary>
    public static void Backward(Accelerator acc, RecurrentShape s, RecurrentWeights w, RecurrentState state, DeviceBuffer<float> dHidden)
    {
        if (Launch.IsCpu(acc))
        {
            GruCpu.Backward(s, Launch.Array(w.U), Launch.Array(state.Gates), Launch.Array(state.Aux!), Launch.Array(state.Hidden), Launch.Array(dHidden),
                Launch.Array(state.GateGrad), Launch.Array(state.RecurrentGateGrad), Launch.Parallel(acc));
            return;
        }
        var device = Launch.Device(acc);
        device.Kernels<GruKernels.Loaded>().Backward(device, Recurrent.RowsPerGroup(device, s), Recurrent.Args(s), Launch.View(state.Gates), Launch.View(state.Aux!),
            Launch.View(state.Hidden), Launch.View(dHidden), Launch.View(w.U), Launch.View(state.GateGrad), Launch.View(state.RecurrentGateGrad), Launch.View(state.BiasPartials!));
    }
}
