using EcgGpu.Data;

namespace EcgGpu.Evaluation;

/// <summary>Which beats of the training data are set aside to watch for early stopping and learning-rate reduction.</summary>
public enum ValidationPart
{
    /// <summary><see cref="Records"/> when training and test beats come from different records (the inter-patient split), else <see cref="Stratified"/>.</summary>
    Auto,

    /// <summary>A random, class-stratified share of the beats (patients may sit on both sides, as in the Kaggle split).</summary>
    Stratified,

    /// <summary>Whole records, none of them trained on (<see cref="Splits.ByRecord"/>): validation sees new patients, as the test does.</summary>
    Records,
}

public static class ValidationPartExtensions
{
    public static ValidationPart Parse(string name) => name switch
    {
        "auto" => ValidationPart.Auto,
        "stratified" => ValidationPart.Stratified,
        "records" => ValidationPart.Records,
        _ => throw new ArgumentException($"validation part '{name}' is not one of auto, stratified, records", nameof(name)),
    };

    /// <summary>What <see cref="ValidationPart.Auto"/> means for these data: records when train and test share no record.</summary>
    public static ValidationPart Resolve(this ValidationPart part, BeatSet train, BeatSet test)
    {
        if (part != ValidationPart.Auto) return part;
        if (train.Records is null || test.Records is null) return ValidationPart.Stratified;
        var testRecords = test.Records.ToHashSet(StringComparer.Ordinal);
        return train.Records.Any(testRecords.Contains) ? ValidationPart.Stratified : ValidationPart.Records;
    }

    /// <summary>Share of the beats set aside when none is given: 10 % at random, 20 % in whole records.</summary>
    public static double DefaultFraction(ValidationPart resolved) => resolved == ValidationPart.Records ? 0.2 : 0.1;

    /// <summary>
    /// The fit and validation parts of <paramref name="train"/>, and a line saying which beats were set aside
    /// (recorded in metrics.json): "stratified 10 %" or "records 109, 209, 223 (5,012 beats)". Whole records get
    /// 20 % by default: with 10 % of DS1 three records (118, 124, 203) were the whole validation part, and early
    /// stopping then followed those three patients (GPU runs of 2026-11-23 stopped after 5 to 9 epochs).
    /// </summary>
    public static (BeatSet Fit, BeatSet Validation, string Description) Split(this ValidationPart part, BeatSet train, BeatSet test, double? fraction, int seed)
    {
        var resolved = part.Resolve(train, test);
        double share = fraction ?? DefaultFraction(resolved);
        if (resolved == ValidationPart.Records)
        {
            if (train.Records is null)
                throw new InvalidSettingException($"{nameof(ExperimentOptions)}.{nameof(ExperimentOptions.Validation)}", "records",
                    "needs the record of every training beat (beats extracted from raw MIT-BIH records)");
            var (fit, validation, records) = Splits.ByRecord(train, share, seed);
            return (fit, validation, $"records {string.Join(", ", records)} ({validation.Count:N0} beats)");
        }
        var (f, v) = Splits.Stratified(train, share, seed);
        return (f, v, $"stratified {share:P0} ({v.Count:N0} beats)");
    }
}
