using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>Dispatches the CPU implementation of each cell (its step loop lives in the cell's folder).</summary>
internal static class RecurrentCpu
{

    public static void Forward(RecurrentShape s, RecurrentWeights w, RecurrentState state, ParallelOptions parallel)
    {
        float[]? biasR = w.RecurrentBias is null ? null : Launch.Array(w.RecurrentBias);
        switch (s.Cell)
        {
            case RecurrentCell.Lstm: LstmCpu.Forward(s, Launch.Array(w.U), biasR, Launch.Array(state.Gates), Launch.Array(state.Hidden), Launch.Array(state.Aux!), parallel); break;
            case RecurrentCell.Gru: GruCpu.Forward(s, Launch.Array(w.U), biasR, Launch.Array(state.Gates), Launch.Array(state.Hidden), Launch.Array(state.Aux!), parallel); break;
            default: SimpleRnnCpu.Forward(s, Launch.Array(w.U), biasR, Launch.Array(state.Gates), Launch.Array(state.Hidden), parallel); break;
        }
    }

    public static void Backward(RecurrentShape s, RecurrentWeights w, RecurrentState state, DeviceBuffer<float> dHidden, ParallelOptions parallel)
    {
        switch (s.Cell)
        {
            case RecurrentCell.Lstm: LstmCpu.Backward(s, Launch.Array(w.U), Launch.Array(state.Gates), Launch.Array(state.Aux!), Launch.Array(dHidden), Launch.Array(state.GateGrad), parallel); break;
            case RecurrentCell.Gru: GruCpu.Backward(s, Launch.Array(w.U), Launch.Array(state.Gates), Launch.Array(state.Aux!), Launch.Array(state.Hidden), Launch.Array(dHidden), Launch.Array(state.GateGrad), Launch.Array(state.RecurrentGateGrad), parallel); break;
            default: SimpleRnnCpu.Backward(s, Launch.Array(w.U), Launch.Array(state.Hidden), Launch.Array(dHidden), Launch.Array(state.GateGrad), parallel); break;
        }
    }

    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
}
