using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;

namespace Nabla.Graph;

// Note [Anomaly mode]
// Autograd.DetectAnomaly() raises a thread-static counter that the Node constructor reads once: outside the mode that
// read is the whole cost, and nothing is allocated. Inside it, the node captures an AnomalyRecord (the creation stack
// trace, the input shapes, which inputs already held a non-finite value), kept in a ConditionalWeakTable keyed by the
// node rather than in a field of Node, because a field would grow every node and per-node bytes are what a graph of
// 0-d ops costs (Note [Node layout]). Tensor.SetGradFn, where a node meets its output, scans the output (forward
// check), and the engine scans every gradient a rule returns (backward check, also for graphs built outside the mode,
// then without a creation trace); the first non-finite value throws an AnomalyException. Ops on tensors that need no
// gradient are not checked in the forward pass: they have no node to name.

/// <summary>What anomaly mode remembers about a node at its creation. See Note [Anomaly mode].</summary>
internal sealed class AnomalyRecord
{
    private AnomalyRecord(string trace, string[] inputShapes, bool[] inputNonFinite, string? module)
    {
        Trace = trace;
        InputShapes = inputShapes;
        InputNonFinite = inputNonFinite;
        Module = module;
    }

    public string Trace { get; }

    /// <summary>The modules whose forward pass created the op, innermost first (null outside any module).</summary>
    public string? Module { get; }

    [ThreadStatic] private static List<string>? t_modules;

    /// <summary>
    /// Marks the forward pass of a module (described by <paramref name="text"/>, its ToString) begins until disposed, so
    /// that ops created inside it name it by the first line of the text; called by NN's Module only in anomaly mode. The
    /// autograd layer takes the text, not the module: it sits below NN (docs/architecture.md, layers).
    /// </summary>
    public static IDisposable EnterModule(string text)
    {
        int end = text.IndexOf('\n', StringComparison.Ordinal);
        var modules = t_modules ??= [];
        modules.Add(end < 0 ? text : text[..end].TrimEnd('(') );
        return new ModuleScope(modules, modules.Count - 1);
    }

    private sealed class ModuleScope(List<string> modules, int depth) : IDisposable
    {
        public void Dispose()
        {
            if (modules.Count > depth) modules.RemoveRange(depth, modules.Count - depth);
        }
    }

    public string[] InputShapes { get; }

    public bool[] InputNonFinite { get; }

    private static readonly ConditionalWeakTable<Node, AnomalyRecord> Records = new();

    /// <summary>The record of a node created in anomaly mode, or null.</summary>
    public static AnomalyRecord? Of(Node node) => node.HasAnomalyRecord && Records.TryGetValue(node, out var r) ? r : null;

    public static void Capture(Node node, Tensor?[] inputs)
    {
        Records.AddOrUpdate(node, Create(inputs));
        node.HasAnomalyRecord = true;
    }

    private static AnomalyRecord Create(Tensor?[] inputs)
    {
        var shapes = new string[inputs.Length];
        var nonFinite = new bool[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            shapes[i] = inputs[i]?.Shape.ToString() ?? "none";
            nonFinite[i] = inputs[i] is { } t && HasNonFinite(t);
        }
        string? module = t_modules is { Count: > 0 } m ? string.Join(", inside ", Enumerable.Reverse(m)) : null;
        return new AnomalyRecord(UserTrace(), shapes, nonFinite, module);
    }

    /// <summary>
    /// The current stack without the frames inside Nabla itself, so that it starts in the caller's code; module
    /// frames (<c>Nabla.NN</c>, such as <c>Linear.OnForward</c>) are kept because they say which layer ran the op.
    /// </summary>
    private static string UserTrace()
    {
        var trace = new StackTrace(2, fNeedFileInfo: true);
        var sb = new StringBuilder();
        bool inUserCode = false;
        foreach (StackFrame frame in trace.GetFrames())
        {
            var method = frame.GetMethod();
            bool library = method?.DeclaringType?.Assembly == typeof(AnomalyRecord).Assembly;
            if (!inUserCode && library && method?.DeclaringType?.Namespace != "Nabla.NN") continue;
            inUserCode |= !library;
            sb.Append("   at ").Append(method?.DeclaringType?.FullName).Append('.').Append(method?.Name);
            if (frame.GetFileName() is { } file)
                sb.Append(" in ").Append(file).Append(":line ").Append(frame.GetFileLineNumber());
            sb.AppendLine();
        }
        // Ops called from inside Nabla only (no user frame): keep the full trace.
        return sb.Length > 0 ? sb.ToString().TrimEnd() : trace.ToString().TrimEnd();
    }

    public static bool HasNonFinite(Tensor t)
    {
        switch (t.DType)
        {
            case DType.Float32:
                foreach (float v in t.ContiguousData().Span<float>()) if (!float.IsFinite(v)) return true;
                return false;
            case DType.Float64:
                foreach (double v in t.ContiguousData().Span<double>()) if (!double.IsFinite(v)) return true;
                return false;
            default:
                return false;
        }
    }

    private static string Kind(Tensor t)
    {
        bool nan = false, inf = false;
        for (long i = 0; i < t.Numel && !(nan && inf); i++)
        {
            double v = t.GetAsDouble(i);
            nan |= double.IsNaN(v);
            inf |= double.IsInfinity(v);
        }
        return nan && inf ? "NaN and infinite values" : nan ? "NaN" : "an infinite value";
    }

    private static string OpName(Node node) =>
        node.Name.EndsWith("Backward", StringComparison.Ordinal) && node.Name.Length > "Backward".Length ? node.Name[..^"Backward".Length] : node.Name;

    public static void CheckForward(Tensor output, Node node)
    {
        if (!HasNonFinite(output)) return;
        AnomalyRecord record = Of(node)!;
        var inputs = new List<string>();
        for (int i = 0; i < record.InputShapes.Length; i++)
            if (record.InputNonFinite[i]) inputs.Add($"input {i}");
        string cause = inputs.Count == 0
            ? "from finite inputs"
            : $"but {string.Join(" and ", inputs)} already held non-finite values (the anomaly started earlier, in an op that was not recorded or in the data)";
        string op = OpName(node);
        Throw($"anomaly in the forward pass: op {op} (backward node {node.Name}) produced {Kind(output)} in its result of shape {output.Shape}, {cause}",
            op, node, inBackward: false, record);
    }

    public static void CheckBackward(Node node, Tensor?[] gradients)
    {
        for (int i = 0; i < gradients.Length; i++)
        {
            if (gradients[i] is not { } g || !HasNonFinite(g)) continue;
            string op = OpName(node);
            Throw($"anomaly in the backward pass: {node.Name} (the backward of op {op}) returned {Kind(g)} in the gradient of input {i} (shape {g.Shape})",
                op, node, inBackward: true, Of(node));
        }
    }

    private static void Throw(string message, string op, Node node, bool inBackward, AnomalyRecord? record)
    {
        string[] shapes = record?.InputShapes ?? [.. node.InputShapes().Select(s => s?.ToString() ?? "(no gradient)")];
        var sb = new StringBuilder(message);
        sb.AppendLine();
        sb.Append("  input shapes: ").AppendJoin(", ", shapes).AppendLine();
        if (record?.Module is { } module) sb.Append("  in module ").AppendLine(module);
        if (record is null)
            sb.Append("  the op was created outside Autograd.DetectAnomaly(), so its creation stack was not recorded; build the graph inside the scope to get it");
        else
            sb.AppendLine("  the op was created").Append(record.Trace);
        throw new AnomalyException(sb.ToString(), op, node.Name, inBackward, shapes, record?.Trace);
    }
}
