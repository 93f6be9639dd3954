namespace EcgGpu.Nn;

/// <summary>Called after each epoch; returns true to stop training.</summary>
public interface ICallback
{
    void OnTrainBegin(Sequential model) { }
    bool OnEpochEnd(Sequential model, EpochLog log, History history);
    void OnTrainEnd(Sequential model, History history) { }
}
