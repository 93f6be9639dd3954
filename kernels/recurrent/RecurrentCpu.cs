using EcgGpu.Runtime;
using EcgGpu.Runtime.Cpu;

namespace EcgGpu.Kernels.Recurrent;

/// <summary>Dispatches the CPU implementation of each cell (its step loop lives in the cell's folder).</summary>
internal static class RecurrentCpu
{
    public static float[] Arr(DeviceBuffer<float> b) => ((CpuBuffer<float>)b).Array;

    public static void Forward(RecurrentShape s, RecurrentWeights w, RecurrentState state, ParallelOptions parallel)
    {
        float[]? biasR = w.RecurrentBias is null ? null : Arr(w.RecurrentBias);
        switch (s.Cell)
        {
            case RecurrentCell.Lstm: Lstm.LstmCpu.Forward(s, Arr(w.U), biasR, Arr(state.Gates), Arr(state.Hidden), Arr(state.Aux!), parallel); break;
            case RecurrentCell.Gru: Gru.GruCpu.Forward(s, Arr(w.U), biasR, Arr(state.Gates), Arr(state.Hidden), Arr(state.Aux!), parallel); break;
            default: Rnn.SimpleRnnCpu.Forward(s, Arr(w.U), biasR, Arr(state.Gates), Arr(state.Hidden), parallel); break;
        }
    }

    public static void Backward(RecurrentShape s, RecurrentWeights w, RecurrentState state, DeviceBuffer<float> dHidden, ParallelOptions parallel)
    {
        switch (s.Cell)
        {
            case RecurrentCell.Lstm: Lstm.LstmCpu.Backward(s, Arr(w.U), Arr(state.Gates), Arr(state.Aux!), Arr(dHidden), Arr(state.GateGrad), parallel); break;
            case RecurrentCell.Gru: Gru.GruCpu.Backward(s, Arr(w.U), Arr(state.Gates), Arr(state.Aux!), Arr(state.Hidden), Arr(dHidden), Arr(state.GateGrad), Arr(state.RecurrentGateGrad), parallel); break;
            default: Rnn.SimpleRnnCpu.Backward(s, Arr(w.U), Arr(state.Hidden), Arr(dHidden), Arr(state.GateGrad), parallel); break;
        }
    }

    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
}
