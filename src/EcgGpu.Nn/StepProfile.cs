namespace EcgGpu.Nn;

/// <summary>Mean milliseconds of one layer's forward (training mode) and backward pass in a step.</summary>
public sealed record LayerTiming(string Layer, string Type, double ForwardMs, double BackwardMs);

/// <summary>
/// Where a training step's time goes, layer by layer, and its device memory: the peak held on the
/// accelerator while stepping (weights, optimiser state, activations, scratch, step buffers and the
/// data set, <see cref="DataBytes"/> of it) and the allocations made after the warm-up steps, which
/// should be none.
/// </summary>
public sealed record StepProfile(IReadOnlyList<LayerTiming> Layers, double GatherMs, double LossMs, double OptimizerMs,
    double StepMs, long PeakDeviceBytes, long DataBytes, long AllocationsAfterWarmup, int Steps)
{
    public double LayersMs => Layers.Sum(l => l.ForwardMs + l.BackwardMs);
}
