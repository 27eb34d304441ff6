using System.Globalization;
using System.Text;
using Nabla.Graph;
using Nabla.NN;

namespace Nabla.Diagnostics;

/// <summary>
/// A snapshot of the autograd graph behind a tensor, drawn as Graphviz DOT (<see cref="ToDot"/>), as a self-contained
/// SVG that Nabla lays out itself (<see cref="ToSvg"/>, no Graphviz needed) or as a text table (<see cref="ToText"/>).
/// </summary>
/// <remarks>
/// <para>Nodes are the recorded ops (named like their backward nodes, <c>MulBackward</c>) and the leaves that require a
/// gradient; leaves named as parameters are marked as such. Each node shows its shape and, for tensors of at most
/// <see cref="MaxShownElements"/> elements whose tensor is known, its value and gradient. Values and gradients are read
/// when the graph is drawn, so a graph built before <c>Backward()</c> and drawn after it shows the gradients.</para>
/// <para>An op's result tensor is known for the output, for tensors that called <see cref="Tensor.RetainGrad"/> and,
/// in <see cref="FromModel"/>, for every module's output; other ops show their op and shape only.</para>
/// <code>
/// var graph = ComputationGraph.From(loss, inputs: [("x", x)], parameters: [("w", w), ("b", b)]);
/// loss.Backward();
/// File.WriteAllText("loss.svg", graph.ToSvg());
/// </code>
/// </remarks>
public sealed partial class ComputationGraph
{
    /// <summary>Tensors with at most this many elements show their values and gradients.</summary>
    public const int MaxShownElements = 8;

    private static readonly string[] TextHeader = ["node", "op", "group", "inputs", "shape", "value", "grad"];
    private readonly Dictionary<string, string> _groupTypes;

    private ComputationGraph(IReadOnlyList<GraphNode> nodes, Tensor output, Dictionary<string, string> groupTypes)
    {
        Nodes = nodes;
        Output = output;
        _groupTypes = groupTypes;
    }

    /// <summary>The nodes, every input before the ops that read it and the output last.</summary>
    public IReadOnlyList<GraphNode> Nodes { get; }

    /// <summary>The tensor whose graph this is.</summary>
    public Tensor Output { get; }

    /// <summary>The module groups (<c>name → type</c>, such as <c>0 → Linear</c>) of a graph built by <see cref="FromModel"/>.</summary>
    public IReadOnlyDictionary<string, string> Groups => _groupTypes;

    /// <summary>Captures the graph that produced <paramref name="output"/>.</summary>
    /// <param name="output">A tensor that requires a gradient; build the graph before <c>Backward()</c> frees it.</param>
    /// <param name="inputs">Names for input leaves, matched by reference (others are called <c>leaf %id</c>).</param>
    /// <param name="parameters">Names for parameters (such as <c>model.NamedParameters()</c>), marked as parameters.</param>
    /// <exception cref="ArgumentException">The tensor does not require a gradient.</exception>
    /// <exception cref="InvalidOperationException">Backward already freed the graph.</exception>
    public static ComputationGraph From(Tensor output, IEnumerable<(string Name, Tensor Tensor)>? inputs = null,
        IEnumerable<(string Name, Tensor Tensor)>? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        var leafNames = new Dictionary<Tensor, (string, GraphNodeKind)>(ReferenceEqualityComparer.Instance);
        foreach (var (name, t) in parameters ?? []) leafNames.TryAdd(t, (name, GraphNodeKind.Parameter));
        foreach (var (name, t) in inputs ?? []) leafNames.TryAdd(t, (name, GraphNodeKind.Input));
        return Build(output, leafNames, [], [], []);
    }

    /// <summary>
    /// Runs <paramref name="loss"/> with forward hooks on every module of <paramref name="model"/> and captures the graph of
    /// the loss with each op grouped under the module that computed it and parameters named by their state_dict names.
    /// </summary>
    /// <param name="model">The model, of any form; its modules become groups (Graphviz clusters, boxes in the SVG).</param>
    /// <param name="loss">Computes the loss from the model, e.g. <c>() =&gt; Functional.CrossEntropy(model.Forward(x), y)</c>.</param>
    /// <remarks>A module with several inputs or outputs claims the ops between all of its input tensors and all of its output tensors.</remarks>
    public static ComputationGraph FromModel(ModuleBase model, Func<Tensor> loss)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        var calls = new List<(string Name, List<Tensor> Inputs, List<Tensor> Outputs)>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var hooks = new List<IDisposable>();
        foreach (var (name, module) in model.NamedModules())
        {
            if (name.Length == 0) continue;
            types[name] = ModuleNames.DotNet(module.GetType());
            string n = name;
            hooks.Add(module.RegisterForwardHook((_, inputs, output) => calls.Add((n, TensorTree.Flatten(inputs), TensorTree.Flatten(output)))));
        }
        Tensor result;
        try
        {
            result = loss();
        }
        finally
        {
            foreach (var h in hooks) h.Dispose();
        }
        var leafNames = new Dictionary<Tensor, (string, GraphNodeKind)>(ReferenceEqualityComparer.Instance);
        var leafGroups = new Dictionary<Tensor, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, p) in model.NamedParameters())
        {
            leafNames.TryAdd(p, (name, GraphNodeKind.Parameter));
            int dot = name.LastIndexOf('.');
            if (dot > 0) leafGroups.TryAdd(p, name[..dot]);
        }
        // Hooks fire when a module's forward returns, so inner modules come first and claim their ops first.
        var nodeGroups = new Dictionary<Node, string>();
        var known = new Dictionary<Node, Tensor>();
        foreach (var (name, inputs, outputs) in calls)
        {
            var stops = inputs.Select(i => i.GradFn).OfType<Node>().ToHashSet();
            var stack = new Stack<Node>();
            foreach (Tensor output in outputs)
                if (output.GradFn is { } top)
                {
                    known.TryAdd(top, output);
                    stack.Push(top);
                }
            var seen = new HashSet<Node>();
            while (stack.Count > 0)
            {
                Node node = stack.Pop();
                if (stops.Contains(node) || !seen.Add(node)) continue;
                nodeGroups.TryAdd(node, name);
                foreach (Edge e in node.Edges)
                    if (e.Fn is { } next) stack.Push(next);
            }
        }
        return Build(result, leafNames, leafGroups, nodeGroups, known, types);
    }

    private static ComputationGraph Build(Tensor output, Dictionary<Tensor, (string Name, GraphNodeKind Kind)> leafNames,
        Dictionary<Tensor, string> leafGroups, Dictionary<Node, string> nodeGroups, Dictionary<Node, Tensor> known,
        Dictionary<string, string>? groupTypes = null)
    {
        if (!output.RequiresGrad)
            throw new ArgumentException($"graph: the tensor of shape {output.Shape} does not require a gradient, so it has no graph; set RequiresGrad on its inputs first");
        if (output.GradFn is { Released: true } released)
            throw new InvalidOperationException(
                $"graph: the graph of this tensor was freed by Backward() ({released.Name} was released); build the graph before calling Backward(), or pass retainGraph: true");

        // Vertices are autograd nodes or leaf tensors. Iterative post-order DFS gives inputs before consumers.
        var ids = new Dictionary<object, int>(ReferenceEqualityComparer.Instance);
        var order = new List<object>();
        var shapes = new Dictionary<object, (int[] Dims, DType DType)>(ReferenceEqualityComparer.Instance);
        object root = (object?)output.GradFn ?? output;
        shapes[root] = (output.Dims, output.DType);
        var stack = new Stack<(object Vertex, int Next)>();
        var visiting = new HashSet<object>(ReferenceEqualityComparer.Instance) { root };
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (v, next) = stack.Pop();
            Edge[] edges = v is Node n ? n.Edges.ToArray() : [];
            int i = next;
            while (i < edges.Length && !edges[i].IsSet) i++;
            if (i < edges.Length)
            {
                stack.Push((v, i + 1));
                Edge e = edges[i];
                object? child = (object?)e.Fn ?? e.Leaf;
                if (child is not null && visiting.Add(child))
                {
                    shapes[child] = (e.Dims!, e.DType);
                    stack.Push((child, 0));
                }
                continue;
            }
            ids[v] = order.Count;
            order.Add(v);
        }

        var nodes = new List<GraphNode>(order.Count);
        foreach (object v in order)
        {
            var (dims, dtype) = shapes[v];
            bool isOutput = ReferenceEquals(v, root);
            if (v is Node node)
            {
                var inputs = node.Edges.ToArray().Where(e => e.IsSet && ((object?)e.Fn ?? e.Leaf) is not null)
                    .Select(e => ids[(object?)e.Fn ?? e.Leaf!]).ToArray();
                Tensor? t = isOutput ? output : node.RetainTarget ?? known.GetValueOrDefault(node);
                nodes.Add(new GraphNode(ids[v], node.Name, GraphNodeKind.Op, new Shape(dims), dtype, inputs, nodeGroups.GetValueOrDefault(node), t, isOutput));
            }
            else
            {
                var leaf = (Tensor)v;
                var (name, kind) = leafNames.TryGetValue(leaf, out var found) ? found : ($"leaf %{ids[v]}", GraphNodeKind.Input);
                nodes.Add(new GraphNode(ids[v], name, kind, new Shape(dims), dtype, [], leafGroups.GetValueOrDefault(leaf), leaf, isOutput));
            }
        }
        var usedGroups = new Dictionary<string, string>(StringComparer.Ordinal);
        if (groupTypes is not null)
            foreach (string g in nodes.Select(n => n.Group).OfType<string>().Distinct())
                for (string? p = g; p is not null; p = Parent(p))
                    if (groupTypes.TryGetValue(p, out string? type)) usedGroups[p] = type;
        return new ComputationGraph(nodes, output, usedGroups);
    }

    private static string? Parent(string group)
    {
        int dot = group.LastIndexOf('.');
        return dot > 0 ? group[..dot] : null;
    }

    /// <summary>The value of a small known tensor, such as <c>[1, 2.5]</c> or <c>6</c>, else null.</summary>
    internal static string? ValueText(Tensor? t) => t is null || t.Numel > MaxShownElements || t.Numel == 0 ? null : Values(t);

    /// <summary>The gradient of a small known tensor, else null.</summary>
    internal static string? GradText(Tensor? t) => t?.Grad is { } g && g.Numel <= MaxShownElements && g.Numel > 0 ? Values(g) : null;

    private static string Values(Tensor t)
    {
        double[] v = t.ToDoubleArray();
        string items = string.Join(", ", v.Select(x => x.ToString("G4", CultureInfo.InvariantCulture)));
        return t.Rank == 0 ? items : "[" + items + "]";
    }

    private static string Title(GraphNode n) => n.Kind switch
    {
        GraphNodeKind.Parameter => $"{n.Label} (parameter)",
        GraphNodeKind.Input => n.Label,
        _ => n.IsOutput ? $"{n.Label} (output)" : n.Label,
    };

    /// <summary>The lines shown in a node's box: title, shape and dtype, then value and gradient when small and known.</summary>
    internal static List<string> BoxLines(GraphNode n)
    {
        var lines = new List<string> { Title(n), $"{n.Shape} {n.DType.Name()}" };
        if (ValueText(n.Tensor) is { } value) lines.Add("value " + value);
        if (GradText(n.Tensor) is { } grad) lines.Add("grad " + grad);
        return lines;
    }

    /// <summary>
    /// The graph as a table, one node a row, inputs first: id, op or leaf, group, inputs, shape, value and gradient.
    /// </summary>
    public string ToText()
    {
        var rows = new List<string[]> { TextHeader };
        foreach (GraphNode n in Nodes)
            rows.Add([$"%{n.Id}", Title(n), n.Group ?? "", string.Join(", ", n.Inputs.Select(i => $"%{i}")), n.Shape.ToString(),
                ValueText(n.Tensor) ?? "", GradText(n.Tensor) ?? ""]);
        bool hasGroups = Nodes.Any(n => n.Group is not null);
        int[] columns = [.. Enumerable.Range(0, 7).Where(c => c != 2 || hasGroups)];
        var widths = columns.ToDictionary(c => c, c => rows.Max(r => r[c].Length));
        var sb = new StringBuilder();
        foreach (string[] r in rows)
            sb.AppendLine(string.Join("  ", columns.Select(c => r[c].PadRight(widths[c]))).TrimEnd());
        return sb.ToString();
    }

    /// <summary>
    /// The graph in Graphviz DOT: boxes for ops, green boxes for parameters, yellow for inputs, orange for the output,
    /// edges from inputs to the ops that read them, and modules as nested clusters. Render with <c>dot -Tsvg</c>.
    /// </summary>
    public string ToDot()
    {
        var sb = new StringBuilder();
        sb.AppendLine("digraph nabla {");
        sb.AppendLine("  rankdir=TB;");
        sb.AppendLine("  node [shape=box, style=\"rounded,filled\", fontname=\"DejaVu Sans Mono\", fontsize=10, color=\"#555555\"];");
        sb.AppendLine("  edge [color=\"#555555\", arrowsize=0.7];");
        var byGroup = Nodes.Where(n => n.Group is not null).GroupBy(n => n.Group!).ToDictionary(g => g.Key, g => g.ToList());
        var clusterIds = _groupTypes.Keys.Order(StringComparer.Ordinal).Select((g, i) => (g, i)).ToDictionary(p => p.g, p => p.i);
        void Cluster(string group, string indent)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"{indent}subgraph cluster_{clusterIds[group]} {{");
            sb.AppendLine(CultureInfo.InvariantCulture, $"{indent}  label=\"{Escape($"{group}: {_groupTypes[group]}")}\"; style=\"rounded,dashed\"; color=\"#888888\"; fontname=\"DejaVu Sans\"; fontsize=11;");
            foreach (string child in _groupTypes.Keys.Where(k => Parent(k) == group).Order(StringComparer.Ordinal)) Cluster(child, indent + "  ");
            foreach (GraphNode n in byGroup.GetValueOrDefault(group) ?? []) sb.AppendLine(CultureInfo.InvariantCulture, $"{indent}  n{n.Id};");
            sb.AppendLine(CultureInfo.InvariantCulture, $"{indent}}}");
        }
        foreach (string top in _groupTypes.Keys.Where(k => Parent(k) is not { } p || !_groupTypes.ContainsKey(p)).Order(StringComparer.Ordinal))
            Cluster(top, "  ");
        foreach (GraphNode n in Nodes)
        {
            string label = string.Join("\\n", BoxLines(n).Select(Escape));
            sb.AppendLine(CultureInfo.InvariantCulture, $"  n{n.Id} [label=\"{label}\", fillcolor=\"{Fill(n)}\"];");
        }
        foreach (GraphNode n in Nodes)
            foreach (int i in n.Inputs)
                sb.AppendLine(CultureInfo.InvariantCulture, $"  n{i} -> n{n.Id};");
        sb.AppendLine("}");
        return sb.ToString();
    }

    private static string Escape(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    internal static string Fill(GraphNode n) => n.IsOutput ? "#f9d3b0" : n.Kind switch
    {
        GraphNodeKind.Parameter => "#cfe8cf",
        GraphNodeKind.Input => "#fff2b3",
        _ => "#dde7f5",
    };
}
