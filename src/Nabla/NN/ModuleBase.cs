namespace Nabla.NN;

// Note [Module forms]
// Every module derives from ModuleBase, which owns what does not depend on the forward signature: the registry of
// parameters, buffers and submodules, traversal, state dicts, train/eval, freezing, dtype conversion, hooks, printing
// and Summary. The forward signature is the form's: Module is Tensor -> Tensor (Forward(Tensor), what Sequential
// chains), Module<T, TResult>, Module<T1, T2, TResult>, ... take one to four inputs of any type and return any type
// (a tuple for several outputs), typed at compile time as TorchSharp's forms are. A form implements one untyped entry
// (InvokeOnForward over object?[]), so hooks, Summary, graph export and backward hooks are written once, here, over
// object arrays; the single-tensor form skips that boxing when nothing observes it (Module.Forward's fast path).
// Containers (ModuleList, ModuleDict, ParameterList, ParameterDict) derive from ModuleBase directly: they have no
// forward, and calling one is a compile error rather than PyTorch's runtime NotImplementedError.

/// <summary>
/// The base of every module: the registry of parameters, buffers and submodules under PyTorch's <c>state_dict</c>
/// names, traversal, state dicts, hooks and printing. A module derives from one of its forms: <see cref="Module"/>
/// (Tensor → Tensor) or <see cref="Module{T, TResult}"/>, <see cref="Module{T1, T2, TResult}"/>, ... for other signatures.
/// </summary>
/// <remarks>
/// <para>A module registers what it owns in its constructor (<see cref="RegisterParameter"/>, <see cref="RegisterBuffer"/>,
/// <see cref="RegisterModule"/>), in PyTorch's order, so that <see cref="StateDict"/> has PyTorch's names
/// (<c>features.3.bias</c>). A module or trainable tensor held in a field but not registered is an error at the module's
/// first use; assigning a field that holds a registered submodule or tensor re-registers the new value under the same
/// name (Note [Module registration]).</para>
/// <para>Tensors used twice (tied weights) appear once in <see cref="Parameters"/> (the first name wins, as in PyTorch)
/// and under every name in <see cref="StateDict"/>. Nothing needs disposing.</para>
/// </remarks>
public abstract partial class ModuleBase
{
    private readonly List<KeyValuePair<string, Tensor>> _parameters = [];
    private readonly List<KeyValuePair<string, Tensor>> _buffers = [];
    private readonly List<KeyValuePair<string, ModuleBase>> _modules = [];

    /// <summary>Creates a module with nothing registered, in training mode.</summary>
    protected ModuleBase() { }

    /// <summary>True in training mode (the default); affects dropout and batch normalisation.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Registers a trainable parameter (sets <see cref="Tensor.RequiresGrad"/>) under <paramref name="name"/> and returns it.</summary>
    /// <remarks>A tensor produced by an op is detached first, so a parameter is always a leaf.</remarks>
    protected Tensor RegisterParameter(string name, Tensor parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        CheckNewName(name);
        parameter = AsParameter(parameter);
        _parameters.Add(new(name, parameter));
        return parameter;
    }

    /// <summary>Registers a non-trainable state tensor (such as running statistics) under <paramref name="name"/> and returns it.</summary>
    protected Tensor RegisterBuffer(string name, Tensor buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        CheckNewName(name);
        _buffers.Add(new(name, buffer));
        return buffer;
    }

    /// <summary>Registers a submodule under <paramref name="name"/> and returns it; its names get the prefix <c>name.</c>.</summary>
    protected T RegisterModule<T>(string name, T module) where T : ModuleBase
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckNewName(name);
        CheckNoCycle(name, module);
        CheckChild(name, module);
        _modules.Add(new(name, module));
        return module;
    }

    /// <summary>
    /// Checks that <paramref name="module"/> may be this module's child <paramref name="name"/>; throws an
    /// <see cref="ArgumentException"/> if not. Containers override it (a <see cref="Sequential"/> takes only <see cref="Module"/>s).
    /// </summary>
    protected virtual void CheckChild(string name, ModuleBase module) { }

    private static Tensor AsParameter(Tensor parameter)
    {
        if (!parameter.IsLeaf) parameter = parameter.Detach();
        parameter.RequiresGrad = true;
        return parameter;
    }

    private void CheckNewName(string name)
    {
        CheckName(name, GetType());
        if (Has(_parameters, name) || Has(_buffers, name) || Has(_modules, name))
            throw new ArgumentException($"module: the name '{name}' is already registered in {TypeName}");
    }

    internal static void CheckName(string name, Type owner)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.', StringComparison.Ordinal))
            throw new ArgumentException($"module: invalid name '{name}' in {ModuleNames.Of(owner)}: names must be non-empty and contain no '.'");
    }

    private void CheckNoCycle(string name, ModuleBase module)
    {
        var stack = new Stack<ModuleBase>([module]);
        var seen = new HashSet<ModuleBase>(ReferenceEqualityComparer.Instance);
        while (stack.Count > 0)
        {
            ModuleBase m = stack.Pop();
            if (ReferenceEquals(m, this))
                throw new ArgumentException($"module: {module.TypeName} cannot be registered as '{name}' in {TypeName}: {TypeName} is part of it, which would make a cycle");
            if (!seen.Add(m)) continue;
            foreach (var (_, child) in m._modules) stack.Push(child);
        }
    }

    private static bool Has<T>(List<KeyValuePair<string, T>> list, string name) => IndexOf(list, name) >= 0;

    private static int IndexOf<T>(List<KeyValuePair<string, T>> list, string name)
    {
        for (int i = 0; i < list.Count; i++)
            if (list[i].Key == name) return i;
        return -1;
    }

    /// <summary>The type's name as printed: PyTorch's class name for Nabla's modules (<c>ReLU</c>), the class name otherwise.</summary>
    internal string TypeName => ModuleNames.Of(GetType());

    /// <summary>The direct submodules with their names, each module once.</summary>
    public IEnumerable<(string Name, ModuleBase Module)> NamedChildren()
    {
        SyncFields(strict: true);
        var seen = new HashSet<ModuleBase>(ReferenceEqualityComparer.Instance);
        var result = new List<(string, ModuleBase)>();
        foreach (var (name, m) in _modules)
            if (seen.Add(m)) result.Add((name, m));
        return result;
    }

    /// <summary>The direct submodules, each once.</summary>
    public IEnumerable<ModuleBase> Children() => NamedChildren().Select(c => c.Module);

    /// <summary>This module and every module below it with dotted names (<c>""</c> for this one), pre-order, each module once.</summary>
    /// <param name="prefix">A prefix for every name.</param>
    public IEnumerable<(string Name, ModuleBase Module)> NamedModules(string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var result = new List<(string, ModuleBase)>();
        var seen = new HashSet<ModuleBase>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(string, ModuleBase)>([(prefix, this)]);
        while (stack.Count > 0)
        {
            var (name, m) = stack.Pop();
            if (!seen.Add(m)) continue;
            m.SyncFields(strict: true);
            result.Add((name, m));
            for (int i = m._modules.Count - 1; i >= 0; i--) stack.Push((Join(name, m._modules[i].Key), m._modules[i].Value));
        }
        return result;
    }

    /// <summary>This module and every module below it, each once.</summary>
    public IEnumerable<ModuleBase> Modules() => NamedModules().Select(m => m.Module);

    /// <summary>Every parameter below this module with its <c>state_dict</c> name; a tensor registered twice appears once, under its first name.</summary>
    /// <param name="prefix">A prefix for every name.</param>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters(string prefix = "") => Named(prefix, m => m._parameters);

    /// <summary>Every parameter below this module, each once, in registration order.</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>Every buffer below this module with its <c>state_dict</c> name, each tensor once.</summary>
    /// <param name="prefix">A prefix for every name.</param>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(string prefix = "") => Named(prefix, m => m._buffers);

    /// <summary>Every buffer below this module, each once.</summary>
    public IEnumerable<Tensor> Buffers() => NamedBuffers().Select(b => b.Buffer);

    private List<(string, Tensor)> Named(string prefix, Func<ModuleBase, List<KeyValuePair<string, Tensor>>> own)
    {
        var result = new List<(string, Tensor)>();
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (name, m) in NamedModules(prefix))
            foreach (var (n, t) in own(m))
                if (seen.Add(t)) result.Add((Join(name, n), t));
        return result;
    }

    internal static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    /// <summary>The number of trainable scalars (each tensor counted once).</summary>
    public long ParameterCount() => Parameters().Sum(p => p.Numel);

    /// <summary>Clears the gradients of every parameter (sets them to null, as PyTorch's default).</summary>
    public void ZeroGrad()
    {
        foreach (Tensor p in Parameters()) p.Grad = null;
    }

    /// <summary>Sets training mode on this module and every module below it (see <see cref="ModuleExtensions.Train"/>).</summary>
    internal void SetTraining(bool mode)
    {
        foreach (var (_, m) in NamedModules()) m.IsTraining = mode;
    }

    /// <summary>Calls <paramref name="action"/> on every module below this one and then on this one (see <see cref="ModuleExtensions.Apply"/>).</summary>
    internal void ApplyCore(Action<ModuleBase> action)
    {
        foreach (ModuleBase child in Children()) child.ApplyCore(action);
        action(this);
    }

    /// <summary>Fuses this module's children, then its own (see <see cref="ModuleExtensions.Fuse"/>).</summary>
    internal void FuseCore()
    {
        foreach (ModuleBase child in Children()) child.FuseCore();
        OnFuse();
    }

    /// <summary>Fuses this module's own children where it can (containers override it; see <see cref="ModuleExtensions.Fuse"/>).</summary>
    protected virtual void OnFuse() { }

    /// <summary>The submodule at the dotted path <paramref name="target"/> (<c>""</c> is this module), as PyTorch's <c>get_submodule</c>.</summary>
    /// <exception cref="ArgumentException">No submodule has that path; the message lists the names that exist.</exception>
    public ModuleBase GetSubmodule(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        ModuleBase m = this;
        if (target.Length == 0) return m;
        foreach (string part in target.Split('.'))
        {
            m.SyncFields(strict: true);
            int i = IndexOf(m._modules, part);
            if (i < 0)
                throw new ArgumentException($"GetSubmodule: {m.TypeName} has no submodule '{part}' (looking up '{target}' in {TypeName}); " +
                    (m._modules.Count == 0 ? "it has none" : $"its submodules are {string.Join(", ", m._modules.Select(c => $"'{c.Key}'"))}"));
            m = m._modules[i].Value;
        }
        return m;
    }

    /// <summary>The parameter at the dotted path <paramref name="target"/> (<c>lm_head.weight</c>), as PyTorch's <c>get_parameter</c>.</summary>
    /// <exception cref="ArgumentException">No parameter has that name.</exception>
    public Tensor GetParameter(string target)
    {
        var (owner, name) = Split(target);
        int i = IndexOf(owner._parameters, name);
        return i >= 0 ? owner._parameters[i].Value
            : throw new ArgumentException($"GetParameter: {owner.TypeName} has no parameter '{name}' (looking up '{target}' in {TypeName})");
    }

    /// <summary>The module that owns the last part of a dotted path, and that part.</summary>
    private (ModuleBase Owner, string Name) Split(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        int dot = target.LastIndexOf('.');
        ModuleBase owner = dot < 0 ? this : GetSubmodule(target[..dot]);
        owner.SyncFields(strict: true);
        return (owner, target[(dot + 1)..]);
    }

    /// <summary>The number of registered submodule entries (a module registered twice counts twice), for containers.</summary>
    internal int ModuleEntryCount => _modules.Count;

    /// <summary>The submodule registered at position <paramref name="index"/>, for containers.</summary>
    internal ModuleBase ModuleEntryAt(int index) => _modules[index].Value;

    /// <summary>The registered submodules in order (a module registered twice appears twice), for containers.</summary>
    internal IReadOnlyList<KeyValuePair<string, ModuleBase>> ModuleEntries => _modules;

    /// <summary>The parameters registered by this module itself, for containers.</summary>
    internal IReadOnlyList<KeyValuePair<string, Tensor>> ParameterEntries => _parameters;
}
