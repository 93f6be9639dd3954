namespace EcgGpu.Evaluation;

/// <summary>A training run's output folder that cannot be used as asked: in use by another run, or holding a run already.</summary>
public sealed class RunFolderException(string message, bool holdsRun = false) : Exception(message)
{
    /// <summary>The folder holds a run already (as opposed to being in use, or not a folder).</summary>
    public bool HoldsRun { get; } = holdsRun;
}

/// <summary>
/// The output folder of one training run, held for the run's length: a lock on <c>.ecg-run.lock</c> (an
/// exclusive OS lock, released by the OS even when the process is killed) keeps a second run out, and the run's stale
/// temporary files (left by a killed run) are removed once the lock is held. Also tells which run files a
/// folder holds and whether the run finished (its reports are all written).
/// </summary>
public sealed class RunFolder : IDisposable
{
    public const string LockName = ".ecg-run.lock", OwnerName = ".ecg-run.owner";

    /// <summary>The files a training run writes, in the order a finished run has them.</summary>
    public static IReadOnlyList<string> Outputs { get; } = ["history.csv", "model.safetensors", "last.safetensors", "metrics.json", "report.md", "report.html"];

    /// <summary>Written last, after the final epoch: a run whose reports are all there is finished.</summary>
    public static IReadOnlyList<string> Reports { get; } = ["metrics.json", "report.md", "report.html"];

    private readonly FileStream _lock;

    public string Path { get; }

    /// <summary>Stale temporary files removed when the folder was acquired.</summary>
    public IReadOnlyList<string> RemovedTemporaryFiles { get; }

    private RunFolder(string path, FileStream lockStream, IReadOnlyList<string> removed)
    {
        Path = path;
        _lock = lockStream;
        RemovedTemporaryFiles = removed;
    }

    /// <summary>Creates the folder if needed, takes its lock and removes the temporary files a killed run left.</summary>
    public static RunFolder Acquire(string path)
    {
        ThrowIfNotAFolder(path);
        Directory.CreateDirectory(path);
        var lockPath = System.IO.Path.Combine(path, LockName);
        FileStream stream;
        try { stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException) { throw InUse(path); }
        try
        {
            File.WriteAllText(System.IO.Path.Combine(path, OwnerName),
                FormattableString.Invariant($"process {Environment.ProcessId} on {Environment.MachineName}, since {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC"));
            var removed = new List<string>();
            foreach (var file in Directory.GetFiles(path).Where(IsStaleTemporary))
            {
                File.Delete(file);
                removed.Add(System.IO.Path.GetFileName(file));
            }
            return new RunFolder(path, stream, removed);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Refuses a folder another run holds, without creating anything.</summary>
    public static void ThrowIfInUse(string path)
    {
        ThrowIfNotAFolder(path);
        var lockPath = System.IO.Path.Combine(path, LockName);
        if (!File.Exists(lockPath)) return;
        try { using var probe = new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None); }
        catch (FileNotFoundException) { }
        catch (IOException) { throw InUse(path); }
    }

    private static void ThrowIfNotAFolder(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("the output folder is empty");
        if (File.Exists(path)) throw new RunFolderException($"{path} is a file; the output of a run is a folder");
    }

    private static RunFolderException InUse(string path)
    {
        string owner;
        try { owner = File.ReadAllText(System.IO.Path.Combine(path, OwnerName)).Trim(); }
        catch (IOException) { owner = "owner unknown"; }
        return new RunFolderException($"{path} is in use by another run ({owner})");
    }

    /// <summary>
    /// The run files present in <paramref name="path"/>, in <see cref="Outputs"/> order; a history of no epoch
    /// (a run that failed in its first epoch, e.g. diverged) does not count as a run.
    /// </summary>
    public static IReadOnlyList<string> ExistingOutputs(string path)
    {
        if (!Directory.Exists(path)) return [];
        var present = Outputs.Where(f => File.Exists(System.IO.Path.Combine(path, f))).ToList();
        if (present is ["history.csv"] && File.ReadLines(System.IO.Path.Combine(path, "history.csv")).Skip(1).All(string.IsNullOrWhiteSpace)) return [];
        return present;
    }

    /// <summary>Whether every report of a finished run is in <paramref name="path"/>.</summary>
    public static bool IsFinished(string path) => Reports.All(f => File.Exists(System.IO.Path.Combine(path, f)));

    /// <summary>Removes the run files, so a run started over does not mix with the one before.</summary>
    public void RemoveOutputs()
    {
        foreach (var f in Outputs) File.Delete(System.IO.Path.Combine(Path, f));
    }

    /// <summary>A temporary file of a run output (<c>model.safetensors.&lt;pid&gt;.&lt;guid&gt;.tmp</c>, <c>metrics.json.&lt;pid&gt;.tmp</c>).</summary>
    private static bool IsStaleTemporary(string file)
    {
        var name = System.IO.Path.GetFileName(file);
        return name.EndsWith(".tmp", StringComparison.Ordinal) && Outputs.Any(o => name.StartsWith(o + ".", StringComparison.Ordinal));
    }

    /// <summary>Releases the lock. The lock file stays: deleting it could let two later runs lock two different files.</summary>
    public void Dispose()
    {
        try { File.Delete(System.IO.Path.Combine(Path, OwnerName)); } catch (IOException) { }
        _lock.Dispose();
    }
}
