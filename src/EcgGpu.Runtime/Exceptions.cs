namespace EcgGpu.Runtime;

/// <summary>A native runtime call failed: names the call and the decoded native error.</summary>
public class NativeCallException : Exception
{
    public NativeCallException(AcceleratorKind backend, string call, int code, string errorName, string? detail = null)
        : base($"{backend.ToCliName()}: {call} failed with {errorName} ({code}){(detail is null ? "" : ": " + detail)}")
    {
        Backend = backend;
        Call = call;
        Code = code;
        ErrorName = errorName;
    }

    public AcceleratorKind Backend { get; }
    public string Call { get; }
    public int Code { get; }
    public string ErrorName { get; }
}

/// <summary>
/// A kernel source failed to compile. <see cref="BuildLog"/> is the compiler's log; its line numbers
/// refer to the kernel's own file (a <c>#line</c> directive follows the prelude), and
/// <see cref="NumberedSource"/> lists that file with the same numbers.
/// </summary>
public sealed class KernelCompileException : Exception
{
    public KernelCompileException(AcceleratorKind backend, string programName, string buildLog, string source)
        : base($"{backend.ToCliName()}: kernel program '{programName}' failed to compile:\n{buildLog.Trim()}\n--- {programName} ---\n{Number(source)}")
    {
        Backend = backend;
        ProgramName = programName;
        BuildLog = buildLog;
        NumberedSource = Number(source);
    }

    public AcceleratorKind Backend { get; }
    public string ProgramName { get; }
    public string BuildLog { get; }
    public string NumberedSource { get; }

    private static string Number(string source)
    {
        var lines = source.Split('\n');
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < lines.Length; i++) sb.Append((i + 1).ToString().PadLeft(4)).Append(": ").Append(lines[i].TrimEnd('\r')).Append('\n');
        return sb.ToString();
    }
}
