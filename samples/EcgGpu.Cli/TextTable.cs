using System.Text;

namespace EcgGpu.Cli;

/// <summary>
/// A table as plain text: columns padded to their widest cell, two spaces apart, a dashed rule under the
/// header. No box drawing and no terminal-width detection, so it reads the same in an 80-column terminal,
/// a pipe and a CI log.
/// </summary>
internal static class TextTable
{
    /// <summary>The lines of the table; <paramref name="leftAligned"/> columns are padded on the right, the rest (numbers) on the left.</summary>
    public static string Format(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, params int[] leftAligned)
    {
        var all = rows.ToList();
        if (all.Any(r => r.Count != headers.Count)) throw new ArgumentException($"every row needs {headers.Count} cells");
        var widths = headers.Select((h, c) => all.Select(r => r[c].Length).Append(h.Length).Max()).ToArray();
        var sb = new StringBuilder();
        void Line(IReadOnlyList<string> cells)
        {
            for (int c = 0; c < cells.Count; c++)
            {
                if (c > 0) sb.Append("  ");
                sb.Append(leftAligned.Contains(c) ? cells[c].PadRight(widths[c]) : cells[c].PadLeft(widths[c]));
            }
            sb.Length = sb.ToString().TrimEnd().Length;
            sb.Append('\n');
        }
        Line(headers);
        Line(widths.Select(w => new string('-', w)).ToArray());
        foreach (var r in all) Line(r);
        return sb.ToString();
    }
}
