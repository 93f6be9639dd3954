using EcgGpu.Kernels;

namespace EcgGpu.Nn.Layers;

public sealed class LSTM(int units, bool returnSequences = false) : RecurrentLayer(units, returnSequences)
{
    private protected override RecurrentCell Cell => RecurrentCell.Lstm;
}
