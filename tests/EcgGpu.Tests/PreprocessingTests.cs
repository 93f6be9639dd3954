using EcgGpu.Evaluation;
using EcgGpu.Data;
using EcgGpu.Runtime.Cpu;
using NUnit.Framework;

namespace EcgGpu.Tests;

public sealed class PreprocessingTests
{
    [Test]
    public void StandardScaler_gives_zero_mean_unit_population_std_and_leaves_constant_columns_finite()
    {
        var beats = SyntheticBeats.Generate(300, 4);
        var scaler = FeatureScaler.FitStandard(beats);
        var scaled = scaler.Transform(beats);
        foreach (var c in scaled.Describe())
        {
            Assert.That(c.Mean, Is.EqualTo(0).Within(1e-5), c.Column);
            double populationStd = c.Std * Math.Sqrt((c.Count - 1.0) / c.Count);
            if (c.Max > c.Min) Assert.That(populationStd, Is.EqualTo(1).Within(1e-4), c.Column);
        }
        Assert.That(scaled.Samples.All(float.IsFinite));
        Assert.That(() => scaler.Transform(beats.SelectColumns([0, 1])), Throws.ArgumentException.With.Message.Contains("187 columns"));
    }

    [Test]
    public void MinMaxScaler_maps_the_training_range_to_zero_one()
    {
        var beats = new BeatSet([1, 10, 3, 20, 5, 30], [0, 1, 2], 2);
        var scaled = FeatureScaler.FitMinMax(beats).Transform(beats);
        Assert.That(scaled.Samples, Is.EqualTo(new[] { 0f, 0f, 0.5f, 0.5f, 1f, 1f }));
    }

    [Test]
    public void Stratified_split_keeps_each_class_fraction_and_loses_no_row()
    {
        var beats = SyntheticBeats.Generate(1000, 2, [0.7, 0.1, 0.1, 0.05, 0.05]);
        var (train, test) = Splits.Stratified(beats, 0.2, seed: 5);
        Assert.That(train.Count + test.Count, Is.EqualTo(beats.Count));
        var all = beats.ClassCounts();
        var t = test.ClassCounts();
        for (int c = 0; c < 5; c++) Assert.That(t[c], Is.EqualTo(Math.Round(all[c] * 0.2)).Within(1), $"class {c}");
    }

    [Test]
    public void Inter_patient_split_puts_no_record_on_both_sides()
    {
        var beats = SyntheticBeats.Generate(440, 3);
        var records = Enumerable.Range(0, beats.Count).Select(i => (i % 3 == 0 ? Mitdb.DS1 : i % 3 == 1 ? Mitdb.DS2 : ["102", "104", "107", "217"])[i % 22 % (i % 3 == 2 ? 4 : 22)]).ToArray();
        var (train, test) = Splits.InterPatient(beats with { Records = records });
        Assert.That(train.Records!.Intersect(test.Records!), Is.Empty);
        Assert.That(train.Records!.All(Mitdb.DS1.Contains) && test.Records!.All(Mitdb.DS2.Contains));
        Assert.That(train.Count + test.Count, Is.EqualTo(beats.Count - records.Count(r => r is "102" or "104" or "107" or "217")), "paced records are left out");
        Assert.That(() => Splits.InterPatient(beats), Throws.ArgumentException.With.Message.Contains("record of every beat"));
    }

    [Test]
    public void Lstm2_and_gru2_read_the_beat_backwards_unless_all_features_are_asked_for()
    {
        var beats = SyntheticBeats.Generate(40, 8);
        using var acc = CpuAccelerator.Create();
        foreach (var model in new[] { "lstm2", "gru2" })
        {
            var pre = Experiment.FitPreprocessing(model, "auto", beats, acc);
            Assert.That(pre.Features, Is.EqualTo(Enumerable.Range(0, BeatFormat.Length).Reverse()), model);
            var applied = pre.Apply(beats);
            Assert.That(applied.Row(3).ToArray(), Is.EqualTo(beats.Row(3).ToArray().Reverse()), "the last sample first");
            var back = Preprocessing.FromMetadata(pre.ToMetadata(), BeatFormat.Length, "f");
            Assert.That(back.Apply(beats).Samples, Is.EqualTo(applied.Samples), "stored with the weights, reapplied by predict");
            Assert.That(Experiment.FitPreprocessing(model, "all", beats, acc).Features, Is.Null, "--features all keeps the seed's order");
        }
        Assert.That(Experiment.FitPreprocessing("cnn", "auto", beats, acc).Features, Is.Null);
        Assert.That(Experiment.FitPreprocessing("rnn-attention", "auto", beats, acc).Features, Is.Null, "attention reads every state; no zero tail to cross");
    }

    [Test]
    public void Cnn_gap_takes_the_beat_standardised_per_sample_unless_all_features_are_asked_for()
    {
        var beats = SyntheticBeats.Generate(60, 9);
        using var acc = CpuAccelerator.Create();
        var pre = Experiment.FitPreprocessing("cnn-gap", "auto", beats, acc);
        Assert.That(pre.Features, Is.Null, "every sample, in order");
        Assert.That(pre.Scaler?.Kind, Is.EqualTo(FeatureScaler.Standard));
        var applied = pre.Apply(beats);
        foreach (var c in applied.Describe().Where(c => c.Max > c.Min))
            Assert.That(c.Mean, Is.EqualTo(0).Within(1e-5), c.Column);
        var back = Preprocessing.FromMetadata(pre.ToMetadata(), BeatFormat.Length, "f");
        Assert.That(back.Apply(beats).Samples, Is.EqualTo(applied.Samples), "stored with the weights, reapplied by predict");
        Assert.That(Experiment.FitPreprocessing("cnn-gap", "all", beats, acc).Scaler, Is.Null, "--features all keeps the raw beat");
        Assert.That(Experiment.FitPreprocessing("cnn", "auto", beats, acc).Scaler, Is.Null);
    }

    [Test]
    public void Record_wise_validation_sets_whole_records_aside_with_the_classes_represented()
    {
        // 12 records: S beats in 4 of them, V in 6; about a fifth of the beats should go to validation.
        var beats = SyntheticBeats.Generate(1200, 4);
        var records = Enumerable.Range(0, beats.Count).Select(i => $"r{i % 12}").ToArray();
        var labels = Enumerable.Range(0, beats.Count).Select(i => i % 12 < 4 && i % 5 == 0 ? 1 : i % 12 >= 6 && i % 7 == 0 ? 2 : 0).ToArray();
        var data = beats with { Records = records, Labels = labels };
        var (train, validation, held) = Splits.ByRecord(data, 0.2, seed: 1);
        Assert.That(train.Records!.Intersect(validation.Records!), Is.Empty, "no record on both sides");
        Assert.That(validation.Records!.Distinct().Order(), Is.EqualTo(held));
        Assert.That(train.Count + validation.Count, Is.EqualTo(data.Count));
        Assert.That(validation.Count, Is.InRange(0.2 * data.Count, 0.2 * data.Count + 100), "records are added until the fraction is reached");
        Assert.That(validation.ClassCounts()[1], Is.GreaterThan(0), "S is held by 4 records, so validation has some");
        Assert.That(validation.ClassCounts()[2], Is.GreaterThan(0), "V is held by 6 records, so validation has some");
        Assert.That(Splits.ByRecord(data, 0.2, seed: 1).ValidationRecords, Is.EqualTo(held), "the same seed, the same records");
        Assert.That(() => Splits.ByRecord(beats, 0.2, 1), Throws.ArgumentException.With.Message.Contains("record of every beat"));
        var oneRecord = beats with { Records = Enumerable.Repeat("100", beats.Count).ToArray() };
        Assert.That(() => Splits.ByRecord(oneRecord, 0.2, 1), Throws.ArgumentException.With.Message.Contains("2 or more records"));
    }

    [Test]
    public void Validation_part_is_whole_records_exactly_when_the_test_holds_other_patients()
    {
        var beats = SyntheticBeats.Generate(600, 5);
        var records = Enumerable.Range(0, beats.Count).Select(i => Mitdb.DS1[i % Mitdb.DS1.Count]).ToArray();
        var train = beats with { Records = records };
        var otherPatients = beats with { Records = Enumerable.Range(0, beats.Count).Select(i => Mitdb.DS2[i % Mitdb.DS2.Count]).ToArray() };
        Assert.That(ValidationPart.Auto.Resolve(train, otherPatients), Is.EqualTo(ValidationPart.Records));
        Assert.That(ValidationPart.Auto.Resolve(train, train), Is.EqualTo(ValidationPart.Stratified), "the same patients on both sides (Kaggle split)");
        Assert.That(ValidationPart.Auto.Resolve(beats, beats), Is.EqualTo(ValidationPart.Stratified), "no records known");
        var (fit, validation, description) = ValidationPart.Auto.Split(train, otherPatients, null, seed: 2);
        Assert.That(fit.Records!.Intersect(validation.Records!), Is.Empty);
        Assert.That(description, Does.StartWith("records "));
        Assert.That(validation.Count, Is.GreaterThanOrEqualTo(0.2 * train.Count), "whole records take 20 % by default");
        var (_, stratified, text) = ValidationPart.Stratified.Split(train, otherPatients, null, seed: 2);
        Assert.That(stratified.Count, Is.EqualTo(60).Within(5));
        Assert.That(text, Does.StartWith("stratified 10"));
        Assert.That(() => ValidationPart.Records.Split(beats, beats, null, 1), Throws.TypeOf<InvalidSettingException>().With.Message.Contains("record of every training beat"));
    }

    [Test]
    public void Oversampling_balances_the_classes_and_augmentation_changes_the_copies()
    {
        var beats = SyntheticBeats.Generate(500, 6, [0.8, 0.05, 0.05, 0.05, 0.05]);
        var plain = Splits.Oversample(beats, seed: 1);
        Assert.That(plain.ClassCounts().Distinct().Count(), Is.EqualTo(1), "every class as large as the largest");
        var augmented = Splits.Oversample(beats, seed: 1, augment: true);
        Assert.That(augmented.ClassCounts(), Is.EqualTo(plain.ClassCounts()));
        var originals = new HashSet<string>(Enumerable.Range(0, beats.Count).Select(i => string.Join(",", beats.Row(i).ToArray())));
        int copiesKeptExactly = Enumerable.Range(0, augmented.Count).Count(i => originals.Contains(string.Join(",", augmented.Row(i).ToArray())));
        Assert.That(copiesKeptExactly, Is.EqualTo(beats.Count), "only the original rows are unchanged");
        var row = new float[] { 0, 1, 2, 3 };
        Splits.Augment(row, 2.0, 1.0);
        Assert.That(row, Is.EqualTo(new float[] { 0, 2, 4, 6 }));
    }

    [Test]
    public void Information_gain_selection_keeps_the_top_columns_and_the_stored_transform_reapplies()
    {
        var beats = SyntheticBeats.Generate(400, 8);
        using var acc = CpuAccelerator.Create();
        var pre = Preprocessing.Fit(beats, 60, FeatureScaler.Standard, acc);
        Assert.That(pre.Features, Has.Length.EqualTo(60));
        Assert.That(pre.Features!.Distinct().Count(), Is.EqualTo(60));
        var (ranked, gains) = FeatureSelection.Rank(acc, beats);
        Assert.That(pre.Features, Is.EqualTo(ranked[..60]));
        Assert.That(gains[ranked[0]], Is.GreaterThanOrEqualTo(gains[ranked[59]]));
        var back = Preprocessing.FromMetadata(pre.ToMetadata(), 187, "f");
        Assert.That(back.Apply(beats).Samples, Is.EqualTo(pre.Apply(beats).Samples));
    }
}

public sealed class PrepareTests
{
    [Test]
    public void Prepare_writes_kaggle_files_and_a_manifest_from_raw_records()
    {
        var source = Mitdb.FindDirectory();
        if (source is null) Assert.Ignore("MIT-BIH records not found: set ECG_MITDB or place them in ../shared/data/mitdb");
        var root = Directory.CreateTempSubdirectory("ecg-prepare-").FullName;
        try
        {
            // Three records (one of each DS1 and DS2, and 100), copied, so that the test is quick.
            var records = Path.Combine(root, "mitdb");
            Directory.CreateDirectory(records);
            foreach (var r in new[] { "100", "101", "105" })
                foreach (var ext in new[] { "hea", "dat", "atr" })
                    File.Copy(Path.Combine(source, $"{r}.{ext}"), Path.Combine(records, $"{r}.{ext}"));
            var prepared = MitdbPreparation.Run(records, Path.Combine(root, "out"), SplitKind.InterPatient, seed: 1);
            var train = KaggleCsv.Read(prepared.TrainPath);
            var test = KaggleCsv.Read(prepared.TestPath);
            Assert.That(train.Labels, Is.EqualTo(prepared.Train.Labels));
            Assert.That(test.Samples, Is.EqualTo(prepared.Test.Samples));
            Assert.That(prepared.Train.Records!.Distinct(), Is.EqualTo(new[] { "101" }), "101 is in DS1");
            Assert.That(prepared.Test.Records!.Distinct(), Is.EquivalentTo(new[] { "100", "105" }), "100 and 105 are in DS2");
            using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(prepared.ManifestPath));
            var m = manifest.RootElement;
            Assert.That(m.GetProperty("split").GetString(), Is.EqualTo("inter-patient"));
            Assert.That(m.GetProperty("records").GetProperty("100").GetProperty("beats").GetInt32(), Is.EqualTo(prepared.Test.Records!.Count(r => r == "100")));
            Assert.That(m.GetProperty("records").GetProperty("100").GetProperty("N").GetInt32(), Is.GreaterThan(2000));
            Assert.That(m.GetProperty("sources").EnumerateObject().Count(), Is.EqualTo(9));
            Assert.That(m.GetProperty("sources").GetProperty("100.dat").GetString(), Has.Length.EqualTo(64));
            Assert.That(m.GetProperty("train").GetProperty("beats").GetInt32(), Is.EqualTo(train.Count));
        }
        finally { Directory.Delete(root, true); }
    }
}
