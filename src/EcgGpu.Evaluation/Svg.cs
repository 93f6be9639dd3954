using System.Globalization;
using System.Net;
using System.Text;

namespace EcgGpu.Evaluation;

/// <summary>A named series of points for a line chart.</summary>
public sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, bool Dashed = false);

/// <summary>
/// Small self-contained SVG charts (no script, no external file), so a report opens offline in any
/// browser and parses as XML: line charts, heatmaps and bar charts.
/// </summary>
public static class Svg
{
    private static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    public static string Color(int i) => Palette[i % Palette.Length];

    private static string F(double v) => double.IsFinite(v) ? v.ToString("0.##", CultureInfo.InvariantCulture) : "0";

    public static string Escape(string s) => WebUtility.HtmlEncode(s);

    /// <summary>A line chart; <paramref name="markX"/> draws a vertical marker (the best epoch).</summary>
    public static string LineChart(string title, string xLabel, string yLabel, IReadOnlyList<Series> series,
        double? markX = null, string? markLabel = null, double? yMin = null, double? yMax = null, int width = 520, int height = 300, bool squareUnit = false)
    {
        const int left = 56, right = 130, top = 30, bottom = 44;
        var xs = series.SelectMany(s => s.X).Where(double.IsFinite).DefaultIfEmpty(0).ToList();
        var ys = series.SelectMany(s => s.Y).Where(double.IsFinite).DefaultIfEmpty(0).ToList();
        double x0 = squareUnit ? 0 : xs.Min(), x1 = squareUnit ? 1 : xs.Max();
        double y0 = yMin ?? ys.Min(), y1 = yMax ?? ys.Max();
        if (x1 <= x0) x1 = x0 + 1;
        if (y1 <= y0) { y1 = y0 + (Math.Abs(y0) > 0 ? Math.Abs(y0) * 0.1 : 1); }
        double pw = width - left - right, ph = height - top - bottom;
        double X(double v) => left + (v - x0) / (x1 - x0) * pw;
        double Y(double v) => top + ph - (v - y0) / (y1 - y0) * ph;
        var sb = Open(width, height, title);
        // Epochs and other counts get whole-number ticks, not 3.3, 5.5, 7.8.
        bool wholeX = !squareUnit && xs.All(v => v == Math.Floor(v));
        Axes(sb, left, top, pw, ph, x0, x1, y0, y1, X, Y, xLabel, yLabel, height, wholeX);
        if (squareUnit) sb.Append($"<line x1=\"{F(X(0))}\" y1=\"{F(Y(0))}\" x2=\"{F(X(1))}\" y2=\"{F(Y(1))}\" stroke=\"#bbb\" stroke-dasharray=\"4 3\"/>");
        if (markX is double m && double.IsFinite(m))
        {
            sb.Append($"<line x1=\"{F(X(m))}\" y1=\"{top}\" x2=\"{F(X(m))}\" y2=\"{F(top + ph)}\" stroke=\"#444\" stroke-dasharray=\"3 3\"/>");
            sb.Append($"<text x=\"{F(X(m) + 3)}\" y=\"{top + 12}\" font-size=\"11\">{Escape(markLabel ?? "")}</text>");
        }
        for (int i = 0; i < series.Count; i++)
        {
            var s = series[i];
            var points = Enumerable.Range(0, Math.Min(s.X.Count, s.Y.Count)).Where(k => double.IsFinite(s.X[k]) && double.IsFinite(s.Y[k]))
                .Select(k => $"{F(X(s.X[k]))},{F(Y(Math.Clamp(s.Y[k], y0, y1)))}");
            sb.Append($"<polyline fill=\"none\" stroke=\"{Color(i)}\" stroke-width=\"1.8\"{(s.Dashed ? " stroke-dasharray=\"5 3\"" : "")} points=\"{string.Join(" ", points)}\"/>");
            double ly = top + 14 + i * 16;
            sb.Append($"<line x1=\"{F(left + pw + 10)}\" y1=\"{F(ly - 4)}\" x2=\"{F(left + pw + 28)}\" y2=\"{F(ly - 4)}\" stroke=\"{Color(i)}\" stroke-width=\"2\"{(s.Dashed ? " stroke-dasharray=\"5 3\"" : "")}/>");
            sb.Append($"<text x=\"{F(left + pw + 32)}\" y=\"{F(ly)}\" font-size=\"11\">{Escape(s.Name)}</text>");
        }
        return Close(sb);
    }

    /// <summary>A matrix as coloured cells with the values written in them (confusion matrices, correlations).</summary>
    public static string Heatmap(string title, double[,] values, IReadOnlyList<string> rowLabels, IReadOnlyList<string> columnLabels,
        string rowTitle, string columnTitle, string format = "0.00", double? min = null, double? max = null, bool diverging = false, int cell = 0, bool writeValues = true)
    {
        int rows = values.GetLength(0), cols = values.GetLength(1);
        if (cell == 0) cell = Math.Max(3, Math.Min(56, 420 / Math.Max(rows, cols)));
        int left = 60, top = 34;
        int width = left + cols * cell + 20, height = top + rows * cell + 40;
        double lo = min ?? Enumerable.Range(0, rows * cols).Min(i => values[i / cols, i % cols]);
        double hi = max ?? Enumerable.Range(0, rows * cols).Max(i => values[i / cols, i % cols]);
        if (hi <= lo) hi = lo + 1;
        var sb = Open(width, height, title);
        bool small = rows * cols <= 2500;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                double t = (values[r, c] - lo) / (hi - lo);
                if (!small)
                {
                    // Large maps: colours quantised to 64 levels and runs of one colour drawn as one rect, so a
                    // 187 x 187 correlation map stays a few hundred kilobytes.
                    t = Math.Round(Math.Clamp(t, 0, 1) * 63) / 63;
                    int end = c;
                    while (end + 1 < cols && Math.Round(Math.Clamp((values[r, end + 1] - lo) / (hi - lo), 0, 1) * 63) / 63 == t) end++;
                    sb.Append($"<rect x=\"{left + c * cell}\" y=\"{top + r * cell}\" width=\"{(end - c + 1) * cell}\" height=\"{cell}\" fill=\"{(diverging ? Diverging(t) : Sequential(t))}\"/>");
                    c = end;
                    continue;
                }
                string fill = diverging ? Diverging(t) : Sequential(t);
                sb.Append($"<rect x=\"{left + c * cell}\" y=\"{top + r * cell}\" width=\"{cell}\" height=\"{cell}\" fill=\"{fill}\"><title>{Escape(rowLabels[r])}, {Escape(columnLabels[c])}: {values[r, c].ToString(format, CultureInfo.InvariantCulture)}</title></rect>");
                if (writeValues && cell >= 28)
                    sb.Append($"<text x=\"{left + c * cell + cell / 2}\" y=\"{top + r * cell + cell / 2 + 4}\" font-size=\"11\" text-anchor=\"middle\" fill=\"{(t > 0.6 && !diverging ? "#fff" : "#000")}\">{values[r, c].ToString(format, CultureInfo.InvariantCulture)}</text>");
            }
        int labelEvery = cell >= 14 ? 1 : (int)Math.Ceiling(28.0 / cell / 10) * 10;
        for (int r = 0; r < rows; r += labelEvery)
            sb.Append($"<text x=\"{left - 4}\" y=\"{top + r * cell + cell / 2 + 4}\" font-size=\"11\" text-anchor=\"end\">{Escape(rowLabels[r])}</text>");
        for (int c = 0; c < cols; c += labelEvery)
            sb.Append($"<text x=\"{left + c * cell + cell / 2}\" y=\"{top + rows * cell + 14}\" font-size=\"11\" text-anchor=\"middle\">{Escape(columnLabels[c])}</text>");
        sb.Append($"<text x=\"{left + cols * cell / 2}\" y=\"{top + rows * cell + 32}\" font-size=\"12\" text-anchor=\"middle\">{Escape(columnTitle)}</text>");
        sb.Append($"<text x=\"14\" y=\"{top + rows * cell / 2}\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 {top + rows * cell / 2})\">{Escape(rowTitle)}</text>");
        return Close(sb);
    }

    /// <summary>Horizontal bars, one per label.</summary>
    public static string BarChart(string title, IReadOnlyList<string> labels, IReadOnlyList<double> values, string format = "0.0000", double? max = null, int width = 520)
    {
        const int left = 110, top = 30, bar = 22, gap = 6;
        int height = top + labels.Count * (bar + gap) + 20;
        double hi = max ?? values.Where(double.IsFinite).DefaultIfEmpty(1).Max();
        if (hi <= 0) hi = 1;
        double pw = width - left - 90;
        var sb = Open(width, height, title);
        for (int i = 0; i < labels.Count; i++)
        {
            double v = double.IsFinite(values[i]) ? values[i] : 0;
            double y = top + i * (bar + gap);
            sb.Append($"<text x=\"{left - 6}\" y=\"{F(y + bar / 2.0 + 4)}\" font-size=\"12\" text-anchor=\"end\">{Escape(labels[i])}</text>");
            sb.Append($"<rect x=\"{left}\" y=\"{F(y)}\" width=\"{F(Math.Max(0, v / hi * pw))}\" height=\"{bar}\" fill=\"{Color(i)}\"/>");
            sb.Append($"<text x=\"{F(left + Math.Max(0, v / hi * pw) + 4)}\" y=\"{F(y + bar / 2.0 + 4)}\" font-size=\"11\">{(double.IsFinite(values[i]) ? values[i].ToString(format, CultureInfo.InvariantCulture) : "n/a")}</text>");
        }
        return Close(sb);
    }

    private static StringBuilder Open(int width, int height, string title)
    {
        var sb = new StringBuilder();
        sb.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" role=\"img\">");
        sb.Append($"<title>{Escape(title)}</title>");
        sb.Append($"<text x=\"{width / 2}\" y=\"18\" font-size=\"14\" text-anchor=\"middle\" font-weight=\"bold\">{Escape(title)}</text>");
        return sb;
    }

    private static string Close(StringBuilder sb) => sb.Append("</svg>").ToString();

    private static void Axes(StringBuilder sb, double left, double top, double pw, double ph, double x0, double x1, double y0, double y1,
        Func<double, double> X, Func<double, double> Y, string xLabel, string yLabel, int height, bool wholeX)
    {
        sb.Append($"<rect x=\"{F(left)}\" y=\"{F(top)}\" width=\"{F(pw)}\" height=\"{F(ph)}\" fill=\"none\" stroke=\"#888\"/>");
        for (int i = 0; i <= 4; i++)
        {
            double yv = y0 + (y1 - y0) * i / 4;
            sb.Append($"<line x1=\"{F(left)}\" y1=\"{F(Y(yv))}\" x2=\"{F(left + pw)}\" y2=\"{F(Y(yv))}\" stroke=\"#eee\"/>");
            sb.Append($"<text x=\"{F(left - 4)}\" y=\"{F(Y(yv) + 4)}\" font-size=\"10\" text-anchor=\"end\">{Tick(yv, y1 - y0)}</text>");
        }
        foreach (var xv in XTicks(x0, x1, wholeX))
            sb.Append($"<text x=\"{F(X(xv))}\" y=\"{F(top + ph + 14)}\" font-size=\"10\" text-anchor=\"middle\">{(wholeX ? xv.ToString("0", CultureInfo.InvariantCulture) : Tick(xv, x1 - x0))}</text>");
        sb.Append($"<text x=\"{F(left + pw / 2)}\" y=\"{height - 8}\" font-size=\"12\" text-anchor=\"middle\">{Escape(xLabel)}</text>");
        sb.Append($"<text x=\"14\" y=\"{F(top + ph / 2)}\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 {F(top + ph / 2)})\">{Escape(yLabel)}</text>");
    }

    /// <summary>Five evenly spaced ticks; on a whole-number axis, whole numbers a whole step apart (about five of them).</summary>
    public static IEnumerable<double> XTicks(double x0, double x1, bool whole)
    {
        if (!whole)
        {
            for (int i = 0; i <= 4; i++) yield return x0 + (x1 - x0) * i / 4;
            yield break;
        }
        double step = Math.Max(1, Math.Ceiling((x1 - x0) / 5));
        for (double v = Math.Ceiling(x0); v <= x1 + 1e-9; v += step) yield return v;
    }

    private static string Tick(double v, double range)
        => v.ToString(range >= 20 ? "0" : range >= 2 ? "0.#" : range >= 0.2 ? "0.00" : "0.000", CultureInfo.InvariantCulture);

    private static string Sequential(double t)
    {
        t = Math.Clamp(t, 0, 1);
        // White to dark blue.
        int r = (int)(247 - t * (247 - 8)), g = (int)(251 - t * (251 - 48)), b = (int)(255 - t * (255 - 107));
        return $"#{r:x2}{g:x2}{b:x2}";
    }

    private static string Diverging(double t)
    {
        t = Math.Clamp(t, 0, 1);
        // Blue (0) through white (0.5) to red (1).
        (int r, int g, int b) = t < 0.5
            ? ((int)(33 + (255 - 33) * t * 2), (int)(102 + (255 - 102) * t * 2), (int)(172 + (255 - 172) * t * 2))
            : (255, (int)(255 - (255 - 64) * (t - 0.5) * 2), (int)(255 - (255 - 64) * (t - 0.5) * 2));
        return $"#{r:x2}{g:x2}{b:x2}";
    }
}
