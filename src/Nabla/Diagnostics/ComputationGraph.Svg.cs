using System.Globalization;
using System.Security;
using System.Text;

namespace Nabla.Diagnostics;

public sealed partial class ComputationGraph
{
    private const double CharWidth = 7.2, LineHeight = 15, PadX = 8, PadY = 6, LayerGap = 72, NodeGap = 24, Margin = 24, LegendHeight = 34;

    private sealed class Box
    {
        public required GraphNode Node { get; init; }
        public required List<string> Lines { get; init; }
        public double W { get; init; }
        public double H { get; init; }
        public int Layer { get; set; }
        public double X { get; set; }
        public double Y { get; set; }
        public double Order { get; set; }
        public double Center => X + W / 2;
    }

    /// <summary>
    /// The graph as a standalone SVG document laid out by Nabla (no Graphviz): inputs at the top, the output at the
    /// bottom, each node a box with its op, shape and (when small and known) value and gradient, parameters green,
    /// inputs yellow, the output orange, and each module's nodes inside a labelled dashed box.
    /// </summary>
    /// <remarks>
    /// Layout: a node's layer is its longest distance to the output, so leaves sit just above the op that reads them;
    /// the order within layers comes from a few barycentre sweeps, and x positions are pulled towards the mean of
    /// the neighbours' positions without overlapping.
    /// </remarks>
    public string ToSvg()
    {
        var boxes = Nodes.Select(n =>
        {
            var lines = BoxLines(n);
            return new Box { Node = n, Lines = lines, W = lines.Max(l => l.Length) * CharWidth + 2 * PadX, H = lines.Count * LineHeight + 2 * PadY };
        }).ToList();
        var consumers = boxes.Select(_ => new List<int>()).ToList();
        foreach (var b in boxes)
            foreach (int i in b.Node.Inputs) consumers[i].Add(b.Node.Id);

        // Layers: distance from the output, longest path (ids are topological: consumers have larger ids).
        int[] depth = new int[boxes.Count];
        for (int id = boxes.Count - 1; id >= 0; id--)
            depth[id] = consumers[id].Count == 0 ? 0 : consumers[id].Max(c => depth[c] + 1);
        int maxDepth = depth.DefaultIfEmpty(0).Max();
        foreach (var b in boxes) b.Layer = maxDepth - depth[b.Node.Id];
        var layers = Enumerable.Range(0, maxDepth + 1).Select(l => boxes.Where(b => b.Layer == l).ToList()).ToList();
        foreach (var layer in layers)
            for (int i = 0; i < layer.Count; i++) layer[i].Order = i;

        // Barycentre ordering sweeps, then x positions pulled towards the neighbours.
        List<Box> Neighbours(Box b, bool above) => above
            ? b.Node.Inputs.Select(i => boxes[i]).ToList()
            : consumers[b.Node.Id].Select(i => boxes[i]).ToList();
        for (int sweep = 0; sweep < 6; sweep++)
        {
            bool down = sweep % 2 == 0;
            var sequence = down ? layers.Skip(1) : Enumerable.Reverse(layers).Skip(1);
            foreach (var layer in sequence)
            {
                foreach (var b in layer)
                {
                    var nb = Neighbours(b, above: down);
                    if (nb.Count > 0) b.Order = nb.Average(n => n.Order) + b.Order * 1e-3;
                }
                layer.Sort((p, q) => p.Order.CompareTo(q.Order));
                for (int i = 0; i < layer.Count; i++) layer[i].Order = i;
            }
        }
        foreach (var layer in layers)
        {
            double x = 0;
            foreach (var b in layer) { b.X = x; x += b.W + NodeGap; }
        }
        for (int pass = 0; pass < 8; pass++)
        {
            bool down = pass % 2 == 0;
            var sequence = down ? layers.Skip(1) : Enumerable.Reverse(layers).Skip(1);
            foreach (var layer in sequence) Place(layer, b => Neighbours(b, above: down));
        }
        double minX = boxes.Count == 0 ? 0 : boxes.Min(b => b.X);
        foreach (var b in boxes) b.X += Margin - minX;

        // Group boxes: padding grows with nesting so that a module's box encloses its submodules' boxes.
        var groupNames = _groupTypes.Keys.ToList();
        int Height(string g) => groupNames.Where(k => Parent(k) == g).Select(Height).DefaultIfEmpty(-1).Max() + 1;
        var groupPad = groupNames.ToDictionary(g => g, g => 10.0 + 10 * Height(g));
        double topExtra = groupNames.Count == 0 ? 0 : groupNames.Max(g => groupPad[g]) + 16;

        double y = Margin + LegendHeight + topExtra;
        foreach (var layer in layers)
        {
            double h = layer.Count == 0 ? 0 : layer.Max(b => b.H);
            foreach (var b in layer) b.Y = y + (h - b.H) / 2;
            y += h + LayerGap;
        }
        double width = Math.Max(420, boxes.Count == 0 ? 0 : boxes.Max(b => b.X + b.W) + Margin + (groupNames.Count == 0 ? 0 : groupNames.Max(g => groupPad[g])));
        double height = y - LayerGap + Margin + (groupNames.Count == 0 ? 0 : groupNames.Max(g => groupPad[g]));

        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{F(width)}\" height=\"{F(height)}\" viewBox=\"0 0 {F(width)} {F(height)}\" font-family=\"DejaVu Sans Mono, Consolas, monospace\" font-size=\"12\">\n");
        sb.Append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{F(width)}\" height=\"{F(height)}\" fill=\"white\"/>\n");
        Legend(sb);

        foreach (string g in groupNames.OrderBy(g => g.Count(c => c == '.')).ThenBy(g => g, StringComparer.Ordinal))
        {
            var members = boxes.Where(b => b.Node.Group is { } ng && (ng == g || ng.StartsWith(g + ".", StringComparison.Ordinal))).ToList();
            if (members.Count == 0) continue;
            double pad = groupPad[g];
            double x0 = members.Min(b => b.X) - pad, y0 = members.Min(b => b.Y) - pad - 14, x1 = members.Max(b => b.X + b.W) + pad, y1 = members.Max(b => b.Y + b.H) + pad;
            sb.Append(CultureInfo.InvariantCulture, $"<g class=\"group\" data-module=\"{Esc(g)}\"><rect x=\"{F(x0)}\" y=\"{F(y0)}\" width=\"{F(x1 - x0)}\" height=\"{F(y1 - y0)}\" rx=\"8\" fill=\"#f6f6f6\" fill-opacity=\"0.5\" stroke=\"#999\" stroke-dasharray=\"5,3\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x0 + 8)}\" y=\"{F(y0 + 14)}\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"11\" fill=\"#555\">{Esc($"{g}: {_groupTypes[g]}")}</text></g>\n");
        }

        foreach (var b in boxes)
        {
            int n = b.Node.Inputs.Count;
            for (int k = 0; k < n; k++)
            {
                Box from = boxes[b.Node.Inputs[k]];
                double sx = from.Center, sy = from.Y + from.H;
                double tx = b.X + b.W * (k + 1) / (n + 1), ty = b.Y;
                double mid = (ty - sy) / 2;
                sb.Append(CultureInfo.InvariantCulture, $"<path d=\"M{F(sx)},{F(sy)} C{F(sx)},{F(sy + mid)} {F(tx)},{F(ty - mid)} {F(tx)},{F(ty)}\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.2\" marker-end=\"url(#arrow)\"/>\n");
            }
        }
        foreach (var b in boxes)
        {
            GraphNode node = b.Node;
            string kind = node.IsOutput ? "output" : node.Kind.ToString().ToLowerInvariant();
            sb.Append(CultureInfo.InvariantCulture, $"<g class=\"node {kind}\" id=\"n{node.Id}\"><rect x=\"{F(b.X)}\" y=\"{F(b.Y)}\" width=\"{F(b.W)}\" height=\"{F(b.H)}\" rx=\"6\" fill=\"{Fill(node)}\" stroke=\"#555\"/>");
            for (int i = 0; i < b.Lines.Count; i++)
            {
                string weight = i == 0 ? " font-weight=\"bold\"" : "";
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(b.X + PadX)}\" y=\"{F(b.Y + PadY + (i + 1) * LineHeight - 4)}\"{weight}>{Esc(b.Lines[i])}</text>");
            }
            sb.Append("</g>\n");
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    /// <summary>Moves each box of a layer towards the mean centre of its neighbours, keeping the order and the gaps.</summary>
    private static void Place(List<Box> layer, Func<Box, List<Box>> neighbours)
    {
        if (layer.Count == 0) return;
        var desired = layer.Select(b => neighbours(b) is { Count: > 0 } nb ? nb.Average(n => n.Center) - b.W / 2 : b.X).ToArray();
        double right = double.NegativeInfinity;
        for (int i = 0; i < layer.Count; i++)
        {
            layer[i].X = Math.Max(desired[i], right);
            right = layer[i].X + layer[i].W + NodeGap;
        }
        // Pushing right only drifts the layer; shift it back by the mean displacement (order and gaps are kept).
        double shift = 0;
        for (int i = 0; i < layer.Count; i++) shift += layer[i].X - desired[i];
        shift /= layer.Count;
        foreach (var b in layer) b.X -= shift;
    }

    private static void Legend(StringBuilder sb)
    {
        (string Label, string Fill)[] items = [("op", "#dde7f5"), ("parameter", "#cfe8cf"), ("input", "#fff2b3"), ("output", "#f9d3b0")];
        double x = Margin;
        foreach (var (label, fill) in items)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(x)}\" y=\"{F(Margin - 12)}\" width=\"16\" height=\"12\" rx=\"3\" fill=\"{fill}\" stroke=\"#555\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x + 22)}\" y=\"{F(Margin - 2)}\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"11\">{label}</text>\n");
            x += 34 + label.Length * 7;
        }
    }

    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Esc(string s) => SecurityElement.Escape(s) ?? "";
}
