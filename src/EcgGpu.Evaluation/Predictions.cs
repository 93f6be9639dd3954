namespace EcgGpu.Evaluation;

/// <summary>Checks on a model's outputs before anything is reported from them.</summary>
public static class Predictions
{
    /// <summary>
    /// Refuses outputs that are not probabilities (NaN or infinity, from overflow): the arg-max of NaN is
    /// class 0, which would be reported as a confident N. Rows are numbered from 0 as in <c>ecg predict</c>'s output.
    /// </summary>
    public static void RequireFinite(float[] probabilities, int classes, string model)
    {
        int bad = Array.FindIndex(probabilities, v => !float.IsFinite(v));
        if (bad >= 0)
            throw new InvalidDataException($"model {model} gave {probabilities[bad]} as the probability of class {bad % classes} for row {bad / classes}; no class is reported from it (the weights or the input are out of range)");
    }
}
