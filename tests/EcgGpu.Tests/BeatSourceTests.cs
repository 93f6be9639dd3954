using EcgGpu.Data;
using EcgGpu.Evaluation;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>The data sources an application chooses among, and settings refused in the library's own terms.</summary>
public class BeatSourceTests
{
    [Test]
    public void Choose_picks_kaggle_files_then_mitdb_records_then_the_shipped_sample()
    {
        Assert.That(BeatSource.Choose("k", null), Is.EqualTo(new KaggleFolderSource("k")));
        Assert.That(BeatSource.Choose(null, "m", SplitKind.InterPatient, 7), Is.EqualTo(new MitdbSource("m", SplitKind.InterPatient, 7)));
        Assert.That(BeatSource.Choose(BeatSource.Synthetic, null, seed: 3), Is.EqualTo(new SyntheticSource(3)));
        var shipped = BeatSource.Choose(null, null, seed: 3);
        Assert.That(shipped, Is.TypeOf<KaggleFolderSource>(), "the MIT-BIH sample is copied beside every program that references the ecg tool");
        Assert.That(((KaggleFolderSource)shipped).Folder, Is.EqualTo(MitdbSample.FindShipped()));
        Assert.That(() => BeatSource.Choose("k", "m"), Throws.ArgumentException.With.Message.Contains("not both"));
    }

    [Test]
    public void Synthetic_source_gives_the_counts_asked_for_with_every_class()
    {
        var (train, test, description) = new SyntheticSource(Seed: 2, TrainCount: 60, TestCount: 20).Load();
        Assert.That((train.Count, test.Count, train.Length), Is.EqualTo((60, 20, BeatFormat.Length)));
        Assert.That(train.ClassCounts(), Has.All.GreaterThan(0));
        Assert.That(description, Does.Contain("synthetic"));
    }

    [Test]
    public void A_missing_folder_names_the_setting_and_the_folder()
    {
        var e = Assert.Throws<InvalidSettingException>(() => new KaggleFolderSource("/nonexistent/kaggle").Load())!;
        Assert.That((e.Setting, e.Value, e.Reason), Is.EqualTo(("KaggleFolderSource.Folder", "/nonexistent/kaggle", "no such folder")));
        Assert.That(e.Message, Is.EqualTo("KaggleFolderSource.Folder '/nonexistent/kaggle': no such folder"));
        Assert.That(() => new MitdbSource("/nonexistent/mitdb").Load(), Throws.TypeOf<InvalidSettingException>().With.Property("Setting").EqualTo("MitdbSource.Folder"));
    }

    [Test]
    public void Experiment_options_are_refused_naming_the_property_not_a_flag()
    {
        var e = Assert.Throws<InvalidSettingException>(() => new ExperimentOptions("cnn", Epochs: 0).Validate())!;
        Assert.That(e.Setting, Is.EqualTo("ExperimentOptions.Epochs"));
        Assert.That(e.Message, Does.Not.Contain("--"));
        Assert.That(() => new ExperimentOptions("cnn", Features: "most").Validate(), Throws.TypeOf<InvalidSettingException>().With.Property("Setting").EqualTo("ExperimentOptions.Features"));
    }

    [Test]
    public void Batch_size_and_learning_rate_default_to_the_models_recipe_and_a_given_one_wins()
    {
        var cnn = new ExperimentOptions("cnn");
        Assert.That((cnn.EffectiveBatchSize, cnn.EffectiveLearningRate), Is.EqualTo((64, 1e-3f)), "the reference notebooks' batch and Adam rate");
        var gap = new ExperimentOptions("cnn-gap");
        Assert.That((gap.EffectiveBatchSize, gap.EffectiveLearningRate), Is.EqualTo((32, 3e-3f)), "cnn-gap's own (Zoo.Recipe)");
        var given = new ExperimentOptions("cnn-gap", BatchSize: 128, LearningRate: 1e-4f);
        Assert.That((given.EffectiveBatchSize, given.EffectiveLearningRate), Is.EqualTo((128, 1e-4f)));
        Assert.That(() => new ExperimentOptions("cnn-gap", BatchSize: 0).Validate(), Throws.TypeOf<InvalidSettingException>().With.Property("Setting").EqualTo("ExperimentOptions.BatchSize"));
        Assert.That(() => new ExperimentOptions("cnn", LearningRate: float.NaN).Validate(), Throws.TypeOf<InvalidSettingException>().With.Property("Setting").EqualTo("ExperimentOptions.LearningRate"));
    }

    [Test]
    public void Gradient_clipping_defaults_to_the_models_recipe_and_zero_turns_it_off()
    {
        Assert.That(new ExperimentOptions("rnn-attention").EffectiveClipNorm, Is.EqualTo(1f), "rnn-attention's recipe clips");
        Assert.That(new ExperimentOptions("cnn").EffectiveClipNorm, Is.Null);
        Assert.That(new ExperimentOptions("cnn") { ClipNorm = 5f }.EffectiveClipNorm, Is.EqualTo(5f));
        Assert.That(new ExperimentOptions("rnn-attention") { ClipNorm = 0f }.EffectiveClipNorm, Is.Null, "0: no clipping");
        Assert.That(() => new ExperimentOptions("cnn") { ClipNorm = -1f }.Validate(), Throws.TypeOf<InvalidSettingException>().With.Property("Setting").EqualTo("ExperimentOptions.ClipNorm"));
    }
}
