using EcgGpu.Kernels;

namespace EcgGpu.Nn.Layers;

public sealed class SimpleRNN(int units, bool returnSequences = false, bool relu = false) : RecurrentLayer(units, returnSequences)
{
    private protected override RecurrentCell Cell => RecurrentCell.SimpleRnn;
    protected override bool Relu => relu;
}
