namespace EcgGpu.Distributed;

/// <summary>An MPI call failed, or MPI cannot be used as asked; the message names the call and MPI's own error text.</summary>
public sealed class MpiException(string message) : Exception(message);
