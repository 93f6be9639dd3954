using EcgGpu.Kernels;
using EcgGpu.Runtime;

namespace EcgGpu.Nn.Layers;

/// <summary>
/// A model's second input: each row holds a beat followed by <see cref="Features"/> extra values
/// (the RR features). The beat part runs through <see cref="Branch"/>; its flat output is joined
/// with the extra values, so the dense head sees both — Keras's
/// <c>Concatenate()([Flatten()(branch(beat)), rr])</c> in a two-input functional model, kept inside a
/// Sequential so that single-input models stay as they are.
/// </summary>
public sealed class ConcatenateFeatures : Layer
{
    private readonly Layer[] _branch, _featureBranch;
    private int _beatWidth, _branchWidth, _featureWidth;
    private DeviceBuffer<float>? _beat, _features, _y, _dBranch, _dFeatureBranch, _dx;

    /// <param name="features">Extra values at the end of each input row.</param>
    /// <param name="beatBranch">Layers the beat part runs through; the output is flattened.</param>
    /// <param name="featureBranch">
    /// Layers the extra values run through before the join (none: they are joined as they are). A
    /// BatchNormalization here standardises RR ratios, whose class signal lies in small deviations from 1 that
    /// a dense layer's small initial weights would take thousands of steps to amplify.
    /// </param>
    public ConcatenateFeatures(int features, IReadOnlyList<Layer> beatBranch, IReadOnlyList<Layer>? featureBranch = null)
    {
        Features = features > 0 ? features : throw new ArgumentOutOfRangeException(nameof(features), "the number of extra features must be positive");
        if (beatBranch.Count == 0) throw new ArgumentException("the beat branch needs at least one layer", nameof(beatBranch));
        _branch = [.. beatBranch];
        _featureBranch = [.. featureBranch ?? []];
        NameUnnamed(_branch.Concat(_featureBranch));
    }

    /// <summary>Extra values at the end of each input row.</summary>
    public int Features { get; }

    /// <summary>The layers the beat part of each row runs through.</summary>
    public IReadOnlyList<Layer> Branch => _branch;

    /// <summary>The layers the extra values run through before the join (may be empty).</summary>
    public IReadOnlyList<Layer> FeatureBranch => _featureBranch;

    public override string TypeName => "ConcatenateFeatures";

    public override IEnumerable<Layer> Children => _branch.Concat(_featureBranch);

    protected override int[] BuildCore(int[] inputShape, BuildContext c)
    {
        if (inputShape.Length != 1 || inputShape[0] <= Features)
            throw new ArgumentException($"{TypeName}({Features}) expects rows of a beat followed by {Features} features, got [{string.Join(", ", inputShape)}]");
        _beatWidth = inputShape[0] - Features;
        _branch[0].InputGradientNeeded = InputGradientNeeded;
        _branchWidth = BuildBranch(_branch, [_beatWidth], c);
        if (_featureBranch.Length > 0) _featureBranch[0].InputGradientNeeded = InputGradientNeeded;
        _featureWidth = _featureBranch.Length == 0 ? Features : BuildBranch(_featureBranch, [Features], c);
        _beat = Buffer(_beatWidth);
        _features = Buffer(Features);
        _y = Buffer(_branchWidth + _featureWidth);
        _dBranch = Buffer(_branchWidth);
        _dFeatureBranch = Buffer(_featureWidth);
        _dx = InputGradientNeeded ? Buffer(_beatWidth + Features) : null;
        return [_branchWidth + _featureWidth];
    }

    private int BuildBranch(Layer[] branch, int[] shape, BuildContext c)
    {
        foreach (var layer in branch)
        {
            layer.Build(shape, c);
            shape = layer.OutputShape;
            foreach (var p in layer.Parameters) { p.Name = $"{layer.Name}.{p.Name}"; AddParameter(p); }
        }
        return Size(shape);
    }

    public override DeviceBuffer<float> Forward(DeviceBuffer<float> x, int n, bool training)
    {
        int inWidth = _beatWidth + Features, outWidth = _branchWidth + _featureWidth;
        Gather.Columns(n, _beatWidth, x, inWidth, 0, _beat!, _beatWidth, 0);
        Gather.Columns(n, Features, x, inWidth, _beatWidth, _features!, Features, 0);
        var h = _beat!;
        foreach (var layer in _branch) h = layer.Forward(h, n, training);
        var g = _features!;
        foreach (var layer in _featureBranch) g = layer.Forward(g, n, training);
        Gather.Columns(n, _branchWidth, h, _branchWidth, 0, _y!, outWidth, 0);
        Gather.Columns(n, _featureWidth, g, _featureWidth, 0, _y!, outWidth, _branchWidth);
        return _y!;
    }

    public override DeviceBuffer<float> Backward(DeviceBuffer<float> dy, int n)
    {
        int inWidth = _beatWidth + Features, outWidth = _branchWidth + _featureWidth;
        Gather.Columns(n, _branchWidth, dy, outWidth, 0, _dBranch!, _branchWidth, 0);
        Gather.Columns(n, _featureWidth, dy, outWidth, _branchWidth, _dFeatureBranch!, _featureWidth, 0);
        var d = _dBranch!;
        for (int i = _branch.Length - 1; i >= 0; i--) d = _branch[i].Backward(d, n);
        var dg = _dFeatureBranch!;
        for (int i = _featureBranch.Length - 1; i >= 0; i--) dg = _featureBranch[i].Backward(dg, n);
        if (_dx is null) return d; // the model's first layer: nobody reads the input gradient
        Gather.Columns(n, _beatWidth, d, _beatWidth, 0, _dx, inWidth, 0);
        Gather.Columns(n, Features, dg, Features, 0, _dx, inWidth, _beatWidth);
        return _dx;
    }

    public override void Dispose()
    {
        // The branches' parameters are registered here too; disposing a buffer twice is harmless.
        foreach (var layer in Children) layer.Dispose();
        base.Dispose();
    }
}
