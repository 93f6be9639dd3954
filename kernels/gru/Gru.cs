using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>The GRU's part of <see cref="Recurrent"/>: the recurrence over the whole sequence, after the input GEMM.</summary>
internal static class Gru
{
    /// <summary>Gates hold x·W; afterwards the activated gates, U_n h + c_n in SavedForBackward, h in Hidden.</summary>
    public static void Forward(Accelerator acc, RecurrentShape s, RecurrentWeights w, RecurrentState state)
    {
        if (Dispatch.IsCpu(acc))
        {
            Elementwise.BiasAdd(state.Gates, w.Bias, (int)s.Rows, s.GateWidth);
            GruCpu.Forward(s, BufferAccess.Array(w.U), w.RecurrentBias is null ? null : BufferAccess.Array(w.RecurrentBias), BufferAccess.Array(state.Gates),
                BufferAccess.Array(state.Hidden), BufferAccess.Array(state.SavedForBackward!), Dispatch.Parallel(acc));
            return;
        }
        var device = Dispatch.Device(acc);
        device.Kernels<GruKernels.Loaded>().Forward(device, Recurrent.RowsPerGroup(device, s), Recurrent.Args(s), BufferAccess.View(state.Gates), BufferAccess.View(w.U),
            BufferAccess.View(w.Bias), BufferAccess.ViewOrEmpty(w.RecurrentBias), BufferAccess.View(state.Hidden), BufferAccess.View(state.SavedForBackward!));
    }

    /// <summary>GateGrad (input side) and RecurrentGateGrad from dHidden; on a device also the per-group bias partials.</summary>
    public static void Backward(Accelerator acc, RecurrentShape s, RecurrentWeights w, RecurrentState state, DeviceBuffer<float> dHidden)
    {
        if (Dispatch.IsCpu(acc))
        {
            GruCpu.Backward(s, BufferAccess.Array(w.U), BufferAccess.Array(state.Gates), BufferAccess.Array(state.SavedForBackward!), BufferAccess.Array(state.Hidden), BufferAccess.Array(dHidden),
                BufferAccess.Array(state.GateGrad), BufferAccess.Array(state.RecurrentGateGrad), Dispatch.Parallel(acc));
            return;
        }
        var device = Dispatch.Device(acc);
        device.Kernels<GruKernels.Loaded>().Backward(device, Recurrent.RowsPerGroup(device, s), Recurrent.Args(s), BufferAccess.View(state.Gates), BufferAccess.View(state.SavedForBackward!),
            BufferAccess.View(state.Hidden), BufferAccess.View(dHidden), BufferAccess.View(w.U), BufferAccess.View(state.GateGrad), BufferAccess.View(state.RecurrentGateGrad), BufferAccess.View(state.BiasPartials!));
    }
}
