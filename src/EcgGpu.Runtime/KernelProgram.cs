namespace EcgGpu.Runtime;

/// <summary>
/// A device program as the runtime compiles it: the backend prelude, the tuning defines, then the
/// kernel file itself behind a <c>#line 1 "Name"</c> directive, so that compiler messages point into
/// the kernel's own file.
/// </summary>
/// <param name="Name">Logical file name, e.g. <c>gemm/gemm.cl</c>.</param>
/// <param name="Prelude">The backend's dialect header (qualifiers, indices, barriers, atomics, math).</param>
/// <param name="Source">The kernel file, written once for every backend.</param>
/// <param name="Defines">Tuning parameters injected as <c>#define NAME VALUE</c> in front of the source.</param>
public sealed record KernelProgram(string Name, string Prelude, string Source, IReadOnlyDictionary<string, string> Defines)
{
    /// <summary>The full text handed to the compiler.</summary>
    public string FullText()
    {
        var sb = new System.Text.StringBuilder(Prelude.Length + Source.Length + 256);
        sb.Append(Prelude).Append('\n');
        foreach (var (k, v) in Defines.OrderBy(p => p.Key, StringComparer.Ordinal)) sb.Append("#define ").Append(k).Append(' ').Append(v).Append('\n');
        sb.Append("#line 1 \"").Append(Name).Append("\"\n");
        sb.Append(Source);
        return sb.ToString();
    }

    /// <summary>SHA-256 of the full text: the part of every cache key that the source decides.</summary>
    public string Hash() => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(FullText())));
}
