namespace EcgGpu.Data;

/// <summary>A <see cref="Microsoft.Data.Analysis.DataFrame"/> that cannot be used as beats: names the column and, where it applies, the row (0-based, as the frame counts them).</summary>
public sealed class FrameDataException(string column, long row, string message)
    : ArgumentException(row >= 0 ? $"column '{column}', row {row}: {message}" : $"column '{column}': {message}")
{
    public string Column { get; } = column;

    /// <summary>The 0-based row, or −1 when the problem concerns the whole column.</summary>
    public long Row { get; } = row;
}
