namespace EcgGpu.Nn;

/// <summary>
/// Appends one line per epoch to a CSV file (<c>epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds</c>),
/// as Keras's CSVLogger does; the header is written when the file is new or <c>append</c> is false.
/// Each line is flushed, so the file is complete up to the last finished epoch.
/// </summary>
public sealed class CsvLogger(string path, bool append = false, int? keepEpochsUpTo = null) : ICallback
{
    private const string Header = "epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds";

    public string Path { get; } = path;

    public void OnTrainBegin(Sequential model)
    {
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
        if (dir is not null) Directory.CreateDirectory(dir);
        if (!append || !File.Exists(Path)) { File.WriteAllText(Path, Header + "\n"); return; }
        if (keepEpochsUpTo is int last)
        {
            // Resuming from epoch `last`: lines of later epochs (logged after that checkpoint) are dropped.
            var kept = File.ReadLines(Path).Skip(1).Where(l => int.TryParse(l.Split(',')[0], System.Globalization.CultureInfo.InvariantCulture, out int e) && e <= last).ToList();
            File.WriteAllLines(Path, kept.Prepend(Header));
        }
    }

    /// <summary>The epochs a CsvLogger wrote; a malformed line is an error naming the file and line.</summary>
    public static List<EpochLog> Read(string path)
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        var logs = new List<EpochLog>();
        int number = 0;
        foreach (var line in File.ReadLines(path))
        {
            if (++number == 1 || line.Length == 0) continue;
            var f = line.Split(',');
            double? Opt(string v) => v.Length == 0 ? null : double.Parse(v, c);
            try
            {
                logs.Add(new EpochLog(int.Parse(f[0], c), double.Parse(f[1], c), double.Parse(f[2], c), Opt(f[3]), Opt(f[4]), float.Parse(f[5], c), double.Parse(f[6], c)));
            }
            catch (Exception e) when (e is FormatException or IndexOutOfRangeException or OverflowException)
            {
                throw new InvalidDataException($"{path}, line {number}: not an epoch line ({Header})", e);
            }
        }
        return logs;
    }

    public bool OnEpochEnd(Sequential model, EpochLog log, History history)
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        string Opt(double? v) => v is null ? "" : v.Value.ToString("R", c);
        using var w = new StreamWriter(Path, append: true);
        w.WriteLine(string.Join(",", log.Epoch.ToString(c), log.Loss.ToString("R", c), log.Accuracy.ToString("R", c),
            Opt(log.ValLoss), Opt(log.ValAccuracy), log.LearningRate.ToString("R", c), log.Seconds.ToString("F3", c)));
        w.Flush();
        return false;
    }
}
