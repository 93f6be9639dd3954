using System.Globalization;
using EcgGpu.Data;
using EcgGpu.Nn;
using EcgGpu.Runtime;

namespace EcgGpu.Evaluation;

/// <summary>
/// A model's result read back from the folder <see cref="Experiment.Run"/> wrote (another process trained it, as in a
/// distributed sweep): the best weights scored again on the test beats, the epochs from history.csv.
/// </summary>
public static class SavedResult
{
    public static ModelResult Read(string folder, BeatSet test, Accelerator accelerator)
    {
        var weights = Path.Combine(folder, "model.safetensors");
        if (!File.Exists(weights)) throw new FileNotFoundException($"{folder}: no model.safetensors (the rank that trained this model did not finish)", weights);
        var metadata = WeightFile.ReadMetadata(weights);
        var (model, preprocessing) = Experiment.Load(weights, accelerator);
        using (model)
        {
            var epochs = CsvLogger.Read(Path.Combine(folder, "history.csv"));
            int best = int.Parse(metadata.GetValueOrDefault("epoch", "0"), CultureInfo.InvariantCulture);
            return new ModelResult(model.Name, metadata.GetValueOrDefault("backend", ""), metadata.GetValueOrDefault("device", ""),
                Experiment.Score(model, preprocessing.Apply(test)), model.ParameterCount, epochs, best, epochs.Sum(e => e.Seconds), null);
        }
    }
}
