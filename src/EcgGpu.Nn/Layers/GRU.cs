using EcgGpu.Kernels;

namespace EcgGpu.Nn.Layers;

/// <summary>GRU with reset_after=True; <paramref name="relu"/> uses relu for the candidate (Keras activation='relu').</summary>
public sealed class GRU(int units, bool returnSequences = false, bool relu = false) : RecurrentLayer(units, returnSequences)
{
    private protected override RecurrentCell Cell => RecurrentCell.Gru;
    protected override bool Relu => relu;
}
