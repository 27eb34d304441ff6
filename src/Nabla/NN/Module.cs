using System.Globalization;
using System.Text;

namespace Nabla.NN;

/// <summary>
/// The base of every layer and model: it registers parameters, buffers and submodules explicitly, so that
/// <see cref="NamedParameters"/> yields PyTorch's <c>state_dict</c> names (<c>0.weight</c>, <c>features.3.bias</c>).
/// </summary>
/// <remarks>
/// Subclasses implement <see cref="OnForward"/>; callers use <see cref="Forward"/>, which also runs forward hooks.
/// Parameters are ordinary tensors with <see cref="Tensor.RequiresGrad"/> set; nothing needs disposing.
/// </remarks>
public abstract class Module
{
    private readonly List<KeyValuePair<string, Tensor>> _parameters = [];
    private readonly List<KeyValuePair<string, Tensor>> _buffers = [];
    private readonly List<KeyValuePair<string, Module>> _modules = [];
    private readonly List<Action<Module, Tensor, Tensor>> _forwardHooks = [];

    /// <summary>True in training mode (the default); affects dropout and batch normalisation.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Runs the module on <paramref name="input"/> and then its forward hooks.</summary>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using IDisposable? scope = Autograd.IsAnomalyEnabled ? Graph.AnomalyRecord.EnterModule(ToString()) : null;
        Tensor output = OnForward(input);
        foreach (var hook in _forwardHooks.ToArray()) hook(this, input, output);
        return output;
    }

    /// <summary>Whether any forward hook is registered (<see cref="Fuse"/> then leaves the module alone).</summary>
    internal bool HasForwardHooks => _forwardHooks.Count > 0;

    /// <summary>The computation of this module.</summary>
    protected abstract Tensor OnForward(Tensor input);

    /// <summary>Registers a hook called after every forward pass with (module, input, output). Dispose to remove.</summary>
    public IDisposable RegisterForwardHook(Action<Module, Tensor, Tensor> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        _forwardHooks.Add(hook);
        return new Removal(() => _forwardHooks.Remove(hook));
    }

    /// <summary>Registers a trainable parameter (sets <see cref="Tensor.RequiresGrad"/>) under <paramref name="name"/>.</summary>
    protected Tensor RegisterParameter(string name, Tensor parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        CheckName(name);
        if (!parameter.IsLeaf) parameter = parameter.Detach();
        parameter.RequiresGrad = true;
        _parameters.Add(new(name, parameter));
        return parameter;
    }

    /// <summary>Registers a non-trainable state tensor (such as running statistics) under <paramref name="name"/>.</summary>
    protected Tensor RegisterBuffer(string name, Tensor buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        CheckName(name);
        _buffers.Add(new(name, buffer));
        return buffer;
    }

    /// <summary>Registers a submodule under <paramref name="name"/>; its parameters get the prefix <c>name.</c>.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckName(name);
        _modules.Add(new(name, module));
        return module;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.', StringComparison.Ordinal))
            throw new ArgumentException($"module: invalid name '{name}': names must be non-empty and contain no '.'");
        if (_parameters.Any(p => p.Key == name) || _buffers.Any(b => b.Key == name) || _modules.Any(m => m.Key == name))
            throw new ArgumentException($"module: the name '{name}' is already registered in {GetType().Name}");
    }

    /// <summary>Replaces the submodule registered under <paramref name="name"/>.</summary>
    internal void ReplaceModule(string name, Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        for (int i = 0; i < _modules.Count; i++)
            if (_modules[i].Key == name) { _modules[i] = new(name, module); return; }
        throw new ArgumentException($"module: {GetType().Name} has no submodule named '{name}'");
    }

    /// <summary>
    /// Replaces, in this module and every module below it, each pair of modules that has a fused op (a
    /// <see cref="Linear"/> or <see cref="Conv2d"/> followed by a <see cref="Relu"/>) by the fused module, which computes
    /// the same values and gradients as one op with one graph node; returns this module.
    /// </summary>
    /// <remarks>
    /// Parameters, their names and the state_dict stay the same (the fused module takes the first module's tensors;
    /// the second is replaced by an <see cref="Identity"/>), so a model fused for training saves and loads as before.
    /// Which modules were fused shows in <see cref="ToString"/> and <see cref="Summary"/>. See Note [Fusion].
    /// </remarks>
    public Module Fuse()
    {
        foreach (Module child in Children().ToArray()) child.Fuse();
        OnFuse();
        return this;
    }

    /// <summary>Fuses this module's own children where it can (containers override it; see <see cref="Fuse"/>).</summary>
    protected virtual void OnFuse() { }

    /// <summary>The fused form of this module directly followed by <paramref name="next"/>, or null when there is none.</summary>
    protected internal virtual Module? FuseWith(Module next) => null;

    /// <summary>Replaces the tensor registered under <paramref name="name"/> (parameter or buffer) of this module.</summary>
    internal void ReplaceTensor(string name, Tensor value)
    {
        for (int i = 0; i < _parameters.Count; i++)
            if (_parameters[i].Key == name) { _parameters[i] = new(name, value); return; }
        for (int i = 0; i < _buffers.Count; i++)
            if (_buffers[i].Key == name) { _buffers[i] = new(name, value); return; }
        throw new ArgumentException($"module: {GetType().Name} has no tensor named '{name}'");
    }

    /// <summary>The direct submodules with their names.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => _modules.Select(m => (m.Key, m.Value));

    /// <summary>The direct submodules.</summary>
    public IEnumerable<Module> Children() => _modules.Select(m => m.Value);

    /// <summary>This module and all modules below it, with dotted names ("" for this one).</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (name, child) in _modules)
            foreach (var item in child.NamedModules(Join(prefix, name)))
                yield return item;
    }

    /// <summary>Every parameter below this module, with its state_dict name.</summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters(string prefix = "")
    {
        foreach (var (name, p) in _parameters) yield return (Join(prefix, name), p);
        foreach (var (name, child) in _modules)
            foreach (var item in child.NamedParameters(Join(prefix, name)))
                yield return item;
    }

    /// <summary>Every parameter below this module, in registration order.</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>Every buffer below this module, with its state_dict name.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(string prefix = "")
    {
        foreach (var (name, b) in _buffers) yield return (Join(prefix, name), b);
        foreach (var (name, child) in _modules)
            foreach (var item in child.NamedBuffers(Join(prefix, name)))
                yield return item;
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    /// <summary>Sets training mode on this module and all below it.</summary>
    public Module Train(bool mode = true)
    {
        foreach (var (_, m) in NamedModules()) m.IsTraining = mode;
        return this;
    }

    /// <summary>Sets evaluation mode (<c>Train(false)</c>).</summary>
    public Module Eval() => Train(false);

    /// <summary>Clears the gradients of every parameter (sets them to null, as PyTorch's default).</summary>
    public void ZeroGrad()
    {
        foreach (Tensor p in Parameters()) p.Grad = null;
    }

    /// <summary>Calls <paramref name="action"/> on every module below this one and then on this one (as PyTorch's apply).</summary>
    public Module Apply(Action<Module> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        foreach (Module child in Children()) child.Apply(action);
        action(this);
        return this;
    }

    /// <summary>The number of trainable scalars.</summary>
    public long ParameterCount() => Parameters().Sum(p => p.Numel);

    /// <summary>Parameters and buffers by state_dict name, in PyTorch's order (per module: parameters, then buffers).</summary>
    public IReadOnlyDictionary<string, Tensor> StateDict()
    {
        var result = new Dictionary<string, Tensor>();
        foreach (var (name, m) in NamedModules())
        {
            foreach (var (n, p) in m._parameters) result[Join(name, n)] = p;
            foreach (var (n, b) in m._buffers) result[Join(name, n)] = b;
        }
        return result;
    }

    /// <summary>
    /// Copies tensors into this module's parameters and buffers by name. With <paramref name="strict"/>, missing
    /// or unexpected names are errors; a shape mismatch is always an error naming the tensor and both shapes.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        IReadOnlyDictionary<string, Tensor> own = StateDict();
        var problems = new List<string>();
        foreach (var (name, target) in own)
        {
            if (!state.TryGetValue(name, out Tensor? source))
            {
                if (strict) problems.Add($"tensor '{name}' (shape {target.Shape} in the model) is missing from the state");
            }
            else if (!source.Shape.Equals(target.Shape))
                problems.Add($"tensor '{name}' has shape {source.Shape} in the state but {target.Shape} in the model");
        }
        if (strict)
            foreach (var (name, source) in state)
                if (!own.ContainsKey(name)) problems.Add($"unexpected tensor '{name}' of shape {source.Shape}, which the model does not have");
        if (problems.Count > 0)
            throw new ArgumentException($"load_state_dict: the state does not match {GetType().Name}: {problems[0]}" +
                (problems.Count > 1 ? $" (and {problems.Count - 1} more: {string.Join("; ", problems.Skip(1).Take(3))}{(problems.Count > 4 ? "; ..." : "")})" : ""));
        foreach (var (name, target) in own)
        {
            if (!state.TryGetValue(name, out Tensor? source)) continue;
            using (Autograd.NoGrad()) target.CopyFrom(source);
        }
    }

    /// <summary>
    /// A torchsummary-style table: each leaf layer with its output shape and parameter count, then totals.
    /// Runs one forward pass in evaluation mode (under NoGrad) on zeros of <paramref name="inputShape"/>.
    /// </summary>
    public string Summary(int[] inputShape, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        var rows = new List<(string Layer, string Shape, long Params)>();
        var handles = new List<IDisposable>();
        foreach (var (name, m) in NamedModules())
        {
            if (m._modules.Count > 0) continue;
            string label = $"{m.GetType().Name}{(name.Length > 0 ? $" ({name})" : "")}";
            long count = m._parameters.Sum(p => p.Value.Numel);
            handles.Add(m.RegisterForwardHook((_, _, output) => rows.Add((label, output.Shape.ToString(), count))));
        }
        bool wasTraining = IsTraining;
        try
        {
            Eval();
            using (Autograd.NoGrad()) Forward(Tensor.Zeros(inputShape, dtype));
        }
        finally
        {
            foreach (var h in handles) h.Dispose();
            Train(wasTraining);
        }
        int w1 = Math.Max(12, rows.Select(r => r.Layer.Length).DefaultIfEmpty(0).Max()), w2 = Math.Max(14, rows.Select(r => r.Shape.Length).DefaultIfEmpty(0).Max());
        var sb = new StringBuilder();
        string line = new('-', w1 + w2 + 18);
        sb.AppendLine(line);
        sb.AppendLine(CultureInfo.InvariantCulture, $"{"Layer (type)".PadRight(w1)}  {"Output shape".PadRight(w2)}  {"Param #",12}");
        sb.AppendLine(line.Replace('-', '='));
        foreach (var (layer, shape, count) in rows)
            sb.AppendLine(CultureInfo.InvariantCulture, $"{layer.PadRight(w1)}  {shape.PadRight(w2)}  {count,12:N0}");
        sb.AppendLine(line.Replace('-', '='));
        long total = ParameterCount();
        long trainable = Parameters().Where(p => p.RequiresGrad).Sum(p => p.Numel);
        sb.AppendLine(CultureInfo.InvariantCulture, $"Total params: {total:N0}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Trainable params: {trainable:N0}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Non-trainable params: {total - trainable:N0}");
        sb.Append(line);
        return sb.ToString();
    }

    /// <summary>A short description such as <c>Linear(in_features=4, out_features=2)</c>; containers list their children.</summary>
    public override string ToString()
    {
        if (_modules.Count == 0) return $"{GetType().Name}({ExtraRepr()})";
        var sb = new StringBuilder($"{GetType().Name}(");
        sb.AppendLine();
        foreach (var (name, m) in _modules)
            sb.Append("  (").Append(name).Append("): ").AppendLine(m.ToString().Replace("\n", "\n  ", StringComparison.Ordinal));
        sb.Append(')');
        return sb.ToString();
    }

    /// <summary>The constructor arguments shown by <see cref="ToString"/>.</summary>
    protected virtual string ExtraRepr() => "";

    private sealed class Removal(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }
}
