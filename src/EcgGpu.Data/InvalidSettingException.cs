namespace EcgGpu.Data;

/// <summary>
/// A setting of the library's own types (<see cref="Setting"/>, such as <c>ExperimentOptions.Epochs</c> or
/// <c>KaggleFolderSource.Folder</c>) that cannot be used, with its value and why. An application names the
/// setting its own way (the <c>ecg</c> tool prints its flag) from <see cref="Setting"/>, <see cref="Value"/> and
/// <see cref="Reason"/>.
/// </summary>
public sealed class InvalidSettingException(string setting, string? value, string reason)
    : ArgumentException($"{(value is null ? setting : $"{setting} '{value}'")}: {reason}")
{
    public string Setting { get; } = setting;
    public string? Value { get; } = value;
    public string Reason { get; } = reason;
}
