namespace EcgGpu.Nn;

/// <summary>Training was stopped because the loss stopped being a finite number.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
