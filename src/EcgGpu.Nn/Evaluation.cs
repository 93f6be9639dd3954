namespace EcgGpu.Nn;

/// <summary>The result of <see cref="Sequential.Evaluate"/>.</summary>
public sealed record Evaluation(double Loss, double Accuracy, int Rows);
