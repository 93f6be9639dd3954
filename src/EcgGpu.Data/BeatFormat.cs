namespace EcgGpu.Data;

/// <summary>AAMI heartbeat classes in the Kaggle label order.</summary>
public enum BeatClass { N = 0, S = 1, V = 2, F = 3, Q = 4 }

/// <summary>
/// The beat format data, models and reports share, defined once: Kaggle's MIT-BIH layout of a beat as
/// <see cref="Length"/> samples at <see cref="SampleRate"/> Hz (a window from the R peak, min-max normalised,
/// zero-padded), labelled with one of the <see cref="Classes"/> AAMI classes of <see cref="BeatClass"/>.
/// </summary>
public static class BeatFormat
{
    public const int Length = 187;
    public const double SampleRate = 125;
    public const int Classes = 5;

    /// <summary>"N", "S", "V", "F", "Q": the class names in label order, as reports print them.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = Enum.GetNames<BeatClass>();
}
