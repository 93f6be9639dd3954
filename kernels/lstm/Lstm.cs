using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>The LSTM's part of <see cref="Recurrent"/>: the recurrence over the whole sequence, after the input GEMM.</summary>
internal static class Lstm
{
    /// <summary>Gates hold x·W; afterwards the activated gates, c in SavedForBackward, h in Hidden.</summary>
    public static void Forward(Accelerator acc, RecurrentShape s, RecurrentWeights w, RecurrentState state)
    {
        if (Dispatch.IsCpu(acc))
        {
            Elementwise.BiasAdd(state.Gates, w.Bias, (int)s.Rows, s.GateWidth);
            LstmCpu.Forward(s, BufferAccess.Array(w.U), w.RecurrentBias is null ? null : BufferAccess.Array(w.RecurrentBias), BufferAccess.Array(state.Gates),
                BufferAccess.Array(state.Hidden), BufferAccess.Array(state.SavedForBackward!), Dispatch.Parallel(acc));
            return;
        }
        var device = Dispatch.Device(acc);
        device.Kernels<LstmKernels.Loaded>().Forward(device, Recurrent.RowsPerGroup(device, s), Recurrent.Args(s), BufferAccess.View(state.Gates), BufferAccess.View(w.U),
            BufferAccess.View(w.Bias), BufferAccess.ViewOrEmpty(w.RecurrentBias), BufferAccess.View(state.Hidden), BufferAccess.View(state.SavedForBackward!));
    }

    /// <summary>GateGrad (= RecurrentGateGrad) from dHidden; on a device also the per-group bias partials.</summary>
    public static void Backward(Accelerator acc, RecurrentShape s, RecurrentWeights w, RecurrentState state, DeviceBuffer<float> dHidden)
    {
        if (Dispatch.IsCpu(acc))
        {
            LstmCpu.Backward(s, BufferAccess.Array(w.U), BufferAccess.Array(state.Gates), BufferAccess.Array(state.SavedForBackward!), BufferAccess.Array(dHidden), BufferAccess.Array(state.GateGrad), Dispatch.Parallel(acc));
            return;
        }
        var device = Dispatch.Device(acc);
        device.Kernels<LstmKernels.Loaded>().Backward(device, Recurrent.RowsPerGroup(device, s), Recurrent.Args(s), BufferAccess.View(state.Gates), BufferAccess.View(state.SavedForBackward!),
            BufferAccess.View(dHidden), BufferAccess.View(w.U), BufferAccess.View(state.GateGrad), BufferAccess.View(state.BiasPartials!));
    }
}
