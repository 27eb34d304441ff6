using System.Globalization;
using System.Text;

namespace Nabla.NN;

public abstract partial class ModuleBase
{
    /// <summary>
    /// The module as PyTorch prints it: <c>Linear(in_features=4, out_features=2, bias=True)</c>, <c>ReLU()</c>,
    /// <c>Embedding(65, 64)</c>; a module with submodules lists them indented, one per line, as <c>(name): ...</c>.
    /// </summary>
    /// <remarks>Nabla's modules print under PyTorch's class names (<c>Relu</c> as <c>ReLU</c>, <c>Gelu</c> as <c>GELU</c>);
    /// other modules under their own. The arguments are <see cref="ExtraRepr"/>'s.</remarks>
    public override string ToString()
    {
        SyncFields(strict: false);
        string extra = ExtraRepr();
        List<string> lines = extra.Length == 0 ? [] : [.. extra.Split('\n')];
        int extraLines = lines.Count;
        foreach (var (name, m) in _modules) lines.Add($"({name}): {m.ToString().Replace("\n", "\n  ", StringComparison.Ordinal)}");
        var sb = new StringBuilder(TypeName).Append('(');
        if (extraLines == 1 && lines.Count == 1) sb.Append(lines[0]);
        else if (lines.Count > 0) sb.Append("\n  ").AppendJoin("\n  ", lines).Append('\n');
        return sb.Append(')').ToString();
    }

    /// <summary>The arguments <see cref="ToString"/> shows between the parentheses, as PyTorch's <c>extra_repr</c> (<c>in_features=4, out_features=2, bias=True</c>).</summary>
    protected virtual string ExtraRepr() => "";

    /// <summary>
    /// A torchsummary-style table of one forward pass in evaluation mode (under NoGrad) on zeros of
    /// <paramref name="inputShape"/>: every module below this one, indented by depth, with its output shape and its own
    /// parameter count, then totals. For a module whose one input is a tensor.
    /// </summary>
    public string Summary(int[] inputShape, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        return Summary(Tensor.Zeros(inputShape, dtype));
    }

    /// <summary>
    /// A torchsummary-style table of one forward pass in evaluation mode (under NoGrad) on <paramref name="inputs"/>, one
    /// per forward argument (for a module with several inputs: <c>model.Summary(tokens, mask)</c>): every module below this
    /// one (this one itself when it has none) in the order it ran, indented by depth, with the shapes of its output's
    /// tensors and its own parameter count, then the totals (each tensor counted once).
    /// </summary>
    /// <exception cref="ArgumentException">The inputs do not match the forward's parameters.</exception>
    /// <exception cref="InvalidOperationException">The module has no forward (a container).</exception>
    public string Summary(params object?[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        CheckInputs("Summary", inputs);
        var rows = new List<string[]>();
        var open = new Stack<string[]>();
        var handles = new List<IDisposable>();
        foreach (var (name, m) in NamedModules())
        {
            if (name.Length == 0 && _modules.Count > 0) continue;
            string label = name.Length == 0 ? ModuleNames.DotNet(m.GetType())
                : new string(' ', 2 * name.Count(c => c == '.')) + $"{ModuleNames.DotNet(m.GetType())} ({name})";
            string count = m._parameters.Sum(p => p.Value.Numel).ToString("N0", CultureInfo.InvariantCulture);
            handles.Add(m.RegisterForwardPreHook((_, _) =>
            {
                string[] row = [label, "", count];
                rows.Add(row);
                open.Push(row);
            }));
            handles.Add(m.RegisterForwardHook((_, _, output) => open.Pop()[1] = Shapes(output)));
        }
        bool wasTraining = IsTraining;
        try
        {
            SetTraining(false);
            using (Autograd.NoGrad()) CallForward(inputs);
        }
        finally
        {
            foreach (var h in handles) h.Dispose();
            SetTraining(wasTraining);
        }
        return Table(rows);
    }

    private static string Shapes(object? output)
    {
        List<Tensor> tensors = TensorTree.Flatten(output);
        return tensors.Count == 0 ? "-" : string.Join(", ", tensors.Select(t => t.Shape.ToString()));
    }

    private string Table(List<string[]> rows)
    {
        int w1 = Math.Max(12, rows.Select(r => r[0].Length).DefaultIfEmpty(0).Max()), w2 = Math.Max(14, rows.Select(r => r[1].Length).DefaultIfEmpty(0).Max());
        var sb = new StringBuilder();
        string line = new('-', w1 + w2 + 18);
        sb.AppendLine(line);
        sb.AppendLine(CultureInfo.InvariantCulture, $"{"Layer (type)".PadRight(w1)}  {"Output shape".PadRight(w2)}  {"Param #",12}");
        sb.AppendLine(line.Replace('-', '='));
        foreach (string[] r in rows)
            sb.AppendLine(CultureInfo.InvariantCulture, $"{r[0].PadRight(w1)}  {r[1].PadRight(w2)}  {r[2],12}");
        sb.AppendLine(line.Replace('-', '='));
        long total = ParameterCount();
        long trainable = Parameters().Where(p => p.RequiresGrad).Sum(p => p.Numel);
        sb.AppendLine(CultureInfo.InvariantCulture, $"Total params: {total:N0}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Trainable params: {trainable:N0}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Non-trainable params: {total - trainable:N0}");
        sb.Append(line);
        return sb.ToString();
    }

    /// <summary>Checks that <paramref name="inputs"/> fit the forward's parameters, for untyped calls.</summary>
    private void CheckInputs(string op, object?[] inputs)
    {
        IReadOnlyList<Type> types = InputTypes ?? throw new InvalidOperationException($"{op}: {TypeName} has no forward of its own; call it on the module that uses it");
        string expected = string.Join(", ", types.Select(t => ModuleNames.DotNet(t)));
        if (inputs.Length != types.Count)
            throw new ArgumentException($"{op}: {TypeName}'s forward takes {types.Count} input{(types.Count == 1 ? "" : "s")} ({expected}), got {inputs.Length}");
        for (int i = 0; i < inputs.Length; i++)
        {
            bool fits = inputs[i] is null ? !types[i].IsValueType || Nullable.GetUnderlyingType(types[i]) is not null : types[i].IsInstanceOfType(inputs[i]);
            if (!fits)
                throw new ArgumentException($"{op}: input {i} of {TypeName}'s forward is a {ModuleNames.DotNet(types[i])}, got {(inputs[i] is null ? "null" : ModuleNames.DotNet(inputs[i]!.GetType()))}");
        }
    }
}
