using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>The SimpleRNN's part of <see cref="Recurrent"/>: the recurrence over the whole sequence, after the input GEMM.</summary>
internal static class SimpleRnn
{
    /// <summary>Gates hold x·W; afterwards x·W + b, h in Hidden.</summary>
    public static void Forward(Accelerator acc, RecurrentShape s, RecurrentWeights w, RecurrentState state)
    {
        if (Dispatch.IsCpu(acc))
        {
            Elementwise.BiasAdd(state.Gates, w.Bias, (int)s.Rows, s.GateWidth);
            SimpleRnnCpu.Forward(s, BufferAccess.Array(w.U), w.RecurrentBias is null ? null : BufferAccess.Array(w.RecurrentBias), BufferAccess.Array(state.Gates),
                BufferAccess.Array(state.Hidden), Dispatch.Parallel(acc));
            return;
        }
        var device = Dispatch.Device(acc);
        device.Kernels<SimpleRnnKernels.Loaded>().Forward(device, Recurrent.RowsPerGroup(device, s), Recurrent.Args(s), BufferAccess.View(state.Gates), BufferAccess.View(w.U),
            BufferAccess.View(w.Bias), BufferAccess.ViewOrEmpty(w.RecurrentBias), BufferAccess.View(state.Hidden));
    }

    /// <summary>GateGrad (= RecurrentGateGrad) from dHidden; on a device also the per-group bias partials.</summary>
    public static void Backward(Accelerator acc, RecurrentShape s, RecurrentWeights w, RecurrentState state, DeviceBuffer<float> dHidden)
    {
        if (Dispatch.IsCpu(acc))
        {
            SimpleRnnCpu.Backward(s, BufferAccess.Array(w.U), BufferAccess.Array(state.Hidden), BufferAccess.Array(dHidden), BufferAccess.Array(state.GateGrad), Dispatch.Parallel(acc));
            return;
        }
        var device = Dispatch.Device(acc);
        device.Kernels<SimpleRnnKernels.Loaded>().Backward(device, Recurrent.RowsPerGroup(device, s), Recurrent.Args(s), BufferAccess.View(state.Hidden),
            BufferAccess.View(dHidden), BufferAccess.View(w.U), BufferAccess.View(state.GateGrad), BufferAccess.View(state.BiasPartials!));
    }
}
