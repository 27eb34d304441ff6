using System.Globalization;
using System.Security;
using System.Text;

namespace Nabla.Diagnostics;

public sealed partial class ComputationGraph
{
    private const double CharWidth = 7.2, LineHeight = 15, PadX = 8, PadY = 6, LayerGap = 72, NodeGap = 24, Margin = 24, LegendHeight = 34;

    private sealed class Box
    {
        public GraphNode? Node { get; init; }
        public List<string> Lines { get; init; } = [];
        public double W { get; init; }
        public double H { get; init; }
        public int Layer { get; set; }
        public double X { get; set; }
        public double Y { get; set; }
        public double Order { get; set; }
        public List<Box> Above { get; } = [];
        public List<Box> Below { get; } = [];
        public double Center => X + W / 2;
    }

    /// <summary>
    /// The graph as a standalone SVG document laid out by Nabla (no Graphviz): inputs at the top, the output at the
    /// bottom, each node a box with its op, shape and (when small and known) value and gradient, parameters green,
    /// inputs yellow, the output orange, and each module's nodes inside a labelled dashed box.
    /// </summary>
    /// <remarks>
    /// A layered (Sugiyama-style) layout: a node's layer is its longest distance to the output, so leaves sit just
    /// above the op that reads them; each module's nodes are then pushed below the modules before it, so module boxes
    /// occupy bands of their own; edges that span several layers pass through invisible waypoints, so they bend
    /// around boxes instead of crossing them; the order within layers comes from barycentre sweeps, and x positions
    /// are pulled towards the neighbours' positions without overlapping.
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
            foreach (int i in b.Node!.Inputs) consumers[i].Add(b.Node.Id);

        // Layers: distance from the output, longest path (ids are topological: consumers have larger ids).
        int n = boxes.Count;
        int[] depth = new int[n];
        for (int id = n - 1; id >= 0; id--)
            depth[id] = consumers[id].Count == 0 ? 0 : consumers[id].Max(c => depth[c] + 1);
        int maxDepth = depth.DefaultIfEmpty(0).Max();
        int[] layerOf = depth.Select(d => maxDepth - d).ToArray();
        // Module bands: every node of a module goes below every node of the modules that came before it.
        var groupOrder = Nodes.Where(g => g.Group is not null).GroupBy(g => g.Group!).OrderBy(g => g.Max(x => x.Id)).ToList();
        int floor = -1;
        foreach (var group in groupOrder)
        {
            foreach (GraphNode node in group) layerOf[node.Id] = Math.Max(layerOf[node.Id], floor + 1);
            for (int id = 0; id < n; id++)
                foreach (int i in Nodes[id].Inputs) layerOf[id] = Math.Max(layerOf[id], layerOf[i] + 1);
            floor = group.Max(x => layerOf[x.Id]);
        }
        // Leaves move down to just above their first consumer (never up, so module bands hold).
        for (int id = 0; id < n; id++)
            if (Nodes[id].Inputs.Count == 0 && consumers[id].Count > 0)
                layerOf[id] = Math.Max(layerOf[id], consumers[id].Min(c => layerOf[c]) - 1);
        foreach (var b in boxes) b.Layer = layerOf[b.Node!.Id];

        // Waypoints for edges that span several layers.
        var edges = new List<(List<Box> Path, int Slot, int Slots)>();
        var all = new List<Box>(boxes);
        foreach (var target in boxes)
        {
            var inputs = target.Node!.Inputs;
            for (int k = 0; k < inputs.Count; k++)
            {
                Box from = boxes[inputs[k]];
                var path = new List<Box> { from };
                for (int l = from.Layer + 1; l < target.Layer; l++)
                {
                    var waypoint = new Box { W = 0, H = 0, Layer = l };
                    all.Add(waypoint);
                    path.Add(waypoint);
                }
                path.Add(target);
                for (int i = 0; i + 1 < path.Count; i++)
                {
                    path[i].Below.Add(path[i + 1]);
                    path[i + 1].Above.Add(path[i]);
                }
                edges.Add((path, k, inputs.Count));
            }
        }
        int layerCount = all.Count == 0 ? 0 : all.Max(b => b.Layer) + 1;
        var layers = Enumerable.Range(0, layerCount).Select(l => all.Where(b => b.Layer == l).ToList()).ToList();
        foreach (var layer in layers)
            for (int i = 0; i < layer.Count; i++) layer[i].Order = i;

        for (int sweep = 0; sweep < 8; sweep++)
        {
            bool down = sweep % 2 == 0;
            var sequence = down ? layers.Skip(1) : Enumerable.Reverse(layers).Skip(1);
            foreach (var layer in sequence)
            {
                foreach (var b in layer)
                {
                    var nb = down ? b.Above : b.Below;
                    if (nb.Count > 0) b.Order = nb.Average(x => x.Order) + b.Order * 1e-3;
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
        for (int pass = 0; pass < 10; pass++)
        {
            bool down = pass % 2 == 0;
            var sequence = down ? layers.Skip(1) : Enumerable.Reverse(layers).Skip(1);
            foreach (var layer in sequence) Place(layer, b => down ? b.Above : b.Below);
        }

        // Group boxes: padding grows with nesting so that a module's box encloses its submodules' boxes.
        var groupNames = _groupTypes.Keys.ToList();
        int Height(string g) => groupNames.Where(k => Parent(k) == g).Select(Height).DefaultIfEmpty(-1).Max() + 1;
        var groupPad = groupNames.ToDictionary(g => g, g => 10.0 + 10 * Height(g));
        double maxPad = groupNames.Count == 0 ? 0 : groupNames.Max(g => groupPad[g]);
        double minX = all.Count == 0 ? 0 : all.Min(b => b.X);
        foreach (var b in all) b.X += Margin + maxPad - minX;

        double y = Margin + LegendHeight + (groupNames.Count == 0 ? 0 : maxPad + 16);
        foreach (var layer in layers)
        {
            double h = layer.Count == 0 ? 0 : layer.Max(b => b.H);
            foreach (var b in layer) b.Y = y + (h - b.H) / 2;
            y += h + LayerGap;
        }
        double width = Math.Max(420, all.Count == 0 ? 0 : all.Max(b => b.X + b.W) + Margin + maxPad);
        double height = y - LayerGap + Margin + maxPad;

        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{F(width)}\" height=\"{F(height)}\" viewBox=\"0 0 {F(width)} {F(height)}\" font-family=\"DejaVu Sans Mono, Consolas, monospace\" font-size=\"12\">\n");
        sb.Append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{F(width)}\" height=\"{F(height)}\" fill=\"white\"/>\n");
        Legend(sb);

        foreach (string g in groupNames.OrderBy(g => g.Count(c => c == '.')).ThenBy(g => g, StringComparer.Ordinal))
        {
            var members = boxes.Where(b => b.Node!.Group is { } ng && (ng == g || ng.StartsWith(g + ".", StringComparison.Ordinal))).ToList();
            if (members.Count == 0) continue;
            double pad = groupPad[g];
            double x0 = members.Min(b => b.X) - pad, y0 = members.Min(b => b.Y) - pad - 14, x1 = members.Max(b => b.X + b.W) + pad, y1 = members.Max(b => b.Y + b.H) + pad;
            sb.Append(CultureInfo.InvariantCulture, $"<g class=\"group\" data-module=\"{Esc(g)}\"><rect x=\"{F(x0)}\" y=\"{F(y0)}\" width=\"{F(x1 - x0)}\" height=\"{F(y1 - y0)}\" rx=\"8\" fill=\"#f4f4f4\" fill-opacity=\"0.6\" stroke=\"#999\" stroke-dasharray=\"5,3\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x0 + 8)}\" y=\"{F(y0 + 14)}\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"11\" fill=\"#555\">{Esc($"{g}: {_groupTypes[g]}")}</text></g>\n");
        }

        foreach (var (path, slot, slots) in edges)
        {
            Box from = path[0], to = path[^1];
            var points = new List<(double X, double Y)> { (from.Center, from.Y + from.H) };
            foreach (Box w in path.Skip(1).SkipLast(1)) points.Add((w.X, w.Y));
            points.Add((to.X + to.W * (slot + 1) / (slots + 1), to.Y));
            var d = new StringBuilder().Append(CultureInfo.InvariantCulture, $"M{F(points[0].X)},{F(points[0].Y)}");
            for (int i = 1; i < points.Count; i++)
            {
                var (px, py) = points[i - 1];
                var (qx, qy) = points[i];
                double mid = (qy - py) / 2;
                d.Append(CultureInfo.InvariantCulture, $" C{F(px)},{F(py + mid)} {F(qx)},{F(qy - mid)} {F(qx)},{F(qy)}");
            }
            sb.Append(CultureInfo.InvariantCulture, $"<path d=\"{d}\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.2\" marker-end=\"url(#arrow)\"/>\n");
        }
        foreach (var b in boxes)
        {
            GraphNode node = b.Node!;
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
