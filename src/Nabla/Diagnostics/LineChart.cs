using System.Globalization;
using System.Security;
using System.Text;

namespace Nabla.Diagnostics;

/// <summary>One named line of a <see cref="LineChart"/>.</summary>
/// <param name="Name">The legend label.</param>
/// <param name="X">The x values.</param>
/// <param name="Y">The y values (non-finite values are skipped).</param>
public sealed record ChartSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>
/// A self-contained SVG line chart with axes, "nice" ticks, a legend and a title: no external renderer needed.
/// Several panels can be stacked into one image with <see cref="RenderPanels"/>.
/// </summary>
public sealed class LineChart
{
    private static readonly double[] NiceSteps = [1.0, 2.0, 5.0, 10.0];
    // Tableau's ten colours (blue and red first, for train and test); series beyond ten repeat them dashed.
    private static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

    /// <summary>The chart title.</summary>
    public string Title { get; init; } = "";

    /// <summary>The x-axis label.</summary>
    public string XLabel { get; init; } = "";

    /// <summary>The y-axis label.</summary>
    public string YLabel { get; init; } = "";

    /// <summary>Plot y on a log10 scale (non-positive values are skipped).</summary>
    public bool LogY { get; init; }

    /// <summary>The lines to draw.</summary>
    public IList<ChartSeries> Series { get; } = [];

    /// <summary>Panel width in pixels.</summary>
    public int Width { get; init; } = 640;

    /// <summary>Panel height in pixels.</summary>
    public int Height { get; init; } = 360;

    /// <summary>This chart as a standalone SVG document.</summary>
    public string Render() => RenderPanels([this]);

    /// <summary>Several charts stacked vertically in one SVG document.</summary>
    public static string RenderPanels(IReadOnlyList<LineChart> panels)
    {
        ArgumentNullException.ThrowIfNull(panels);
        int width = panels.Count == 0 ? 640 : panels.Max(p => p.Width);
        int height = panels.Sum(p => p.Height);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"DejaVu Sans, Arial, sans-serif\">\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n");
        int top = 0;
        // One legend width for all panels, so that stacked plots line up.
        int right = panels.Count == 0 ? 110 : panels.Max(p => p.LegendWidth());
        foreach (LineChart p in panels)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<g transform=\"translate(0,{top})\">\n");
            p.RenderBody(sb, right);
            sb.Append("</g>\n");
            top += p.Height;
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    /// <summary>The room right of the plot for the legend: its longest name at about 8 px a character (12 px text).</summary>
    private int LegendWidth() => Math.Clamp(60 + 8 * Series.Select(s => s.Name.Length).DefaultIfEmpty(0).Max(), 110, Width / 2);

    private void RenderBody(StringBuilder sb, int right)
    {
        const int left = 70, topMargin = 36, bottom = 48;
        int plotW = Width - left - right, plotH = Height - topMargin - bottom;
        Func<double, double> ty = LogY ? Math.Log10 : v => v;
        var points = Series.Select(s => s.X.Zip(s.Y).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second) && (!LogY || p.Second > 0))
            .Select(p => (p.First, ty(p.Second))).ToList()).ToList();
        var all = points.SelectMany(p => p).ToList();
        double x0 = all.Count > 0 ? all.Min(p => p.Item1) : 0, x1 = all.Count > 0 ? all.Max(p => p.Item1) : 1;
        double y0 = all.Count > 0 ? all.Min(p => p.Item2) : 0, y1 = all.Count > 0 ? all.Max(p => p.Item2) : 1;
        (x0, x1) = Widened(x0, x1);
        (y0, y1) = Widened(y0, y1);
        // NOTE: the x axis spans the data exactly (epochs 1..8 should not start at 0); the y axis is widened to round
        // ticks (to whole decades on a log scale) so that the top and bottom lines are labelled.
        double[] xt = NiceTicks(x0, x1, 6);
        // NOTE: no decade above 1e308, which is as far as doubles go (Note [Finite chart coordinates]).
        if (LogY) { y0 = Math.Floor(y0); y1 = Math.Max(Math.Min(Math.Ceiling(y1), Math.Max(308, y1)), y0 + 1); }
        double[] yt = LogY ? LogTicks(y0, y1) : NiceTicks(y0, y1, 5);
        if (!LogY) { y0 = Math.Min(y0, yt[0]); y1 = Math.Max(y1, yt[^1]); }
        Func<double, string> xFormat = TickFormatter(xt.Where(t => t >= x0 - 1e-12 && t <= x1 + 1e-12));
        Func<double, string> yFormat = TickFormatter(LogY ? yt.Select(t => Math.Pow(10, t)) : yt);
        double Sx(double x) => left + Fraction(x, x0, x1) * plotW;
        double Sy(double y) => topMargin + plotH - Fraction(y, y0, y1) * plotH;
        string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + plotW / 2}\" y=\"22\" font-size=\"16\" font-weight=\"bold\" text-anchor=\"middle\">{Esc(Title)}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{topMargin}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#444\"/>\n");
        foreach (double t in xt)
        {
            if (Fraction(t, x0, x1) is < -1e-9 or > 1 + 1e-9) continue;
            double x = Sx(t);
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(x)}\" y1=\"{topMargin}\" x2=\"{F(x)}\" y2=\"{topMargin + plotH}\" stroke=\"#e5e5e5\"/>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x)}\" y=\"{topMargin + plotH + 18}\" font-size=\"12\" text-anchor=\"middle\">{Esc(xFormat(t))}</text>\n");
        }
        foreach (double t in yt)
        {
            if (Fraction(t, y0, y1) is < -1e-12 or > 1 + 1e-12) continue;
            double y = Sy(t);
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{F(y)}\" x2=\"{left + plotW}\" y2=\"{F(y)}\" stroke=\"#e5e5e5\"/>\n");
            string label = yFormat(LogY ? Math.Pow(10, t) : t);
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{F(y + 4)}\" font-size=\"12\" text-anchor=\"end\">{Esc(label)}</text>\n");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + plotW / 2}\" y=\"{Height - 10}\" font-size=\"13\" text-anchor=\"middle\">{Esc(XLabel)}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"16\" y=\"{topMargin + plotH / 2}\" font-size=\"13\" text-anchor=\"middle\" transform=\"rotate(-90 16 {topMargin + plotH / 2})\">{Esc(YLabel)}</text>\n");
        for (int i = 0; i < Series.Count; i++)
        {
            string color = Palette[i % Palette.Length];
            string dash = i >= Palette.Length ? " stroke-dasharray=\"6,3\"" : "";
            var pts = points[i];
            if (pts.Count > 1)
                sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"{(pts.Count > 60 ? "1.3" : "2")}\"{dash} stroke-linejoin=\"round\" points=\"{string.Join(" ", pts.Select(p => $"{F(Sx(p.Item1))},{F(Sy(p.Item2))}"))}\"/>\n");
            foreach (var p in pts.Count <= 60 ? pts : [])
                sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(Sx(p.Item1))}\" cy=\"{F(Sy(p.Item2))}\" r=\"3\" fill=\"{color}\"/>\n");
            int ly = topMargin + 12 + i * 20;
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left + plotW + 12}\" y1=\"{ly}\" x2=\"{left + plotW + 36}\" y2=\"{ly}\" stroke=\"{color}\" stroke-width=\"3\"{dash}/>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + plotW + 42}\" y=\"{ly + 4}\" font-size=\"12\">{Esc(Series[i].Name)}</text>\n");
        }
    }

    // Note [Finite chart coordinates]
    // Any finite doubles can be plotted, up to ±double.MaxValue: the span of an axis (hi - lo) can overflow to infinity
    // and a tick loop can round its way to infinity or stall where adding the step no longer changes a large value. So
    // an axis whose data is a single value is widened within the finite range, positions are computed from halves when
    // the span overflows, and ticks are generated by index, bounded in number, and kept only when finite: every
    // coordinate written is a finite number.

    /// <summary>An axis range with lo &lt; hi: a single value is widened around itself, staying finite.</summary>
    private static (double Lo, double Hi) Widened(double lo, double hi)
    {
        if (lo < hi) return (lo, hi);
        double d = Math.Max(0.5, Math.Abs(lo) * 0.1);
        return (Math.Max(lo - d, -double.MaxValue), Math.Min(hi + d, double.MaxValue));
    }

    /// <summary>Where <paramref name="v"/> lies between <paramref name="lo"/> (0) and <paramref name="hi"/> (1); finite for finite inputs with lo &lt; hi.</summary>
    internal static double Fraction(double v, double lo, double hi)
    {
        double span = hi - lo;
        return double.IsFinite(span) ? (v - lo) / span : (v / 2 - lo / 2) / (hi / 2 - lo / 2);
    }

    private static string Esc(string s) => SecurityElement.Escape(s) ?? "";

    /// <summary>
    /// One notation for all ticks of an axis: plain decimals with as many places as the finest tick needs, or, when a
    /// tick is below 1e-3 or at least 1e5 in magnitude, <c>1e-4</c>-style exponents for every tick.
    /// </summary>
    internal static Func<double, string> TickFormatter(IEnumerable<double> ticks)
    {
        var nonZero = ticks.Select(Math.Abs).Where(a => a > 0 && double.IsFinite(a)).ToList();
        if (nonZero.Count == 0) return v => v.ToString("0.##", CultureInfo.InvariantCulture);
        if (nonZero.Min() < 1e-3 || nonZero.Max() >= 1e5)
            return v => v == 0 ? "0" : v.ToString("0.##e0", CultureInfo.InvariantCulture);
        int places = 0;
        foreach (double a in nonZero)
            while (places < 6 && Math.Abs(Math.Round(a, places) - a) > 1e-9 * a) places++;
        string format = places == 0 ? "0" : "0." + new string('#', places);
        return v => Math.Round(v, places).ToString(format, CultureInfo.InvariantCulture);
    }

    /// <summary>Round tick values (1, 2 or 5 times a power of ten) covering [lo, hi].</summary>
    internal static double[] NiceTicks(double lo, double hi, int target)
    {
        // hi / n - lo / n rather than (hi - lo) / n: the span of finite values can overflow (Note [Finite chart coordinates]).
        double raw = hi / Math.Max(1, target) - lo / Math.Max(1, target);
        if (!double.IsFinite(raw) || raw <= 0 || !double.IsFinite(lo) || !double.IsFinite(hi)) return [lo, hi];
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = NiceSteps.Select(m => m * mag).First(s => s >= raw);
        double first = Math.Floor(lo / step), last = Math.Ceiling(hi / step);
        if (!double.IsFinite(step) || step <= 0 || !(last - first <= 1000)) return [lo, hi];
        var ticks = new List<double>();
        for (int i = 0, count = (int)(last - first); i <= count; i++)
        {
            double t = (first + i) * step;
            if (double.IsFinite(t) && (ticks.Count == 0 || t > ticks[^1])) ticks.Add(t);
        }
        return ticks.Count > 0 ? [.. ticks] : [lo, hi];
    }

    /// <summary>Decades (as log10 values) over [lo, hi]; with at most two decades also 2x and 5x in between.</summary>
    private static double[] LogTicks(double lo, double hi)
    {
        var ticks = new List<double>();
        int step = (int)Math.Max(1, Math.Ceiling((hi - lo) / 8));
        for (double e = Math.Floor(lo); e <= Math.Ceiling(hi); e += step)
        {
            ticks.Add(e);
            if (hi - lo <= 2 && e + 1 <= hi) ticks.AddRange([e + Math.Log10(2), e + Math.Log10(5)]);
        }
        return ticks.Count > 0 ? [.. ticks] : [lo, hi];
    }
}
