namespace Nabla.NN;

// Note [Module registration]
// A module's names and their order are its state_dict, the contract with PyTorch's checkpoints, so they come from
// explicit registration (RegisterModule("fc", ...) in the constructor, in PyTorch's order), never from reflection:
// field order is unspecified in .NET and C# field names are not PyTorch's names. What reflection does is make a
// mistake impossible to miss. Each module's fields that can hold a module, a tensor or a collection of either are
// found once per type (ComponentFields) and checked before the module is used -- at its first Forward and at every
// traversal (Parameters, StateDict, Train, ...):
//  * a field holding a registered value (here or anywhere below) is fine;
//  * a field whose name matches a registration of the same kind (Fc, _fc and fc all match "fc"; LmHead matches
//    "lm_head") but holds another value was assigned: the new value is registered under that name, in the same
//    position, so `model.Fc = new Linear(...)` re-registers as PyTorch's setattr does;
//  * any other module, or trainable leaf tensor (RequiresGrad), or collection element of either, is an error naming the
//    field and the fix, so a forgotten RegisterModule or a List<Linear> (PyTorch's silent plain-list bug) stops the
//    program instead of training nothing. Constant tensors (masks, tables) in fields are fine.
// The other direction is SetModule/SetParameter/SetBuffer: they replace the registration and write every field bound
// to it (by name or by holding the old value), so that forward, which reads the field, uses the new value.
// [NotRegistered] exempts a field that refers to something this module does not own. ToString applies assignments but
// never throws.

public abstract partial class ModuleBase
{
    private bool _fieldsChecked;

    /// <summary>
    /// Registers <paramref name="module"/> under <paramref name="target"/> (a dotted path such as <c>classifier.6</c> names
    /// a submodule's child), replacing the module registered there or adding it at the end; fields of the owner that held
    /// the old module now hold the new one. PyTorch's <c>setattr</c>/<c>add_module</c>, for fine-tuning: <c>model.SetModule("fc", new Linear(512, 10))</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The path or name is invalid, names a parameter or buffer, a field that holds the
    /// old module cannot hold the new one's type, or the owner does not accept it (a <see cref="Sequential"/> takes only <see cref="Module"/>s).</exception>
    public void SetModule(string target, ModuleBase module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var (owner, name) = Split(target);
        owner.SetOwn(owner._modules, name, module, "SetModule", ComponentKind.Module);
    }

    /// <summary>
    /// Registers <paramref name="parameter"/> (a leaf; its <see cref="Tensor.RequiresGrad"/> is set) under
    /// <paramref name="target"/>, replacing the parameter there or adding one, and stores it in the owner's fields bound to
    /// that name. Tying: <c>model.SetParameter("head.weight", model.GetParameter("embed.weight"))</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The name is invalid or names a buffer or submodule, or the tensor is not a leaf.</exception>
    public void SetParameter(string target, Tensor parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (!parameter.IsLeaf)
            throw new ArgumentException($"SetParameter: the tensor for '{target}' was produced by {parameter.GradFn!.Name}; a parameter must be a leaf (pass t.Detach())", nameof(parameter));
        var (owner, name) = Split(target);
        owner.SetOwn(owner._parameters, name, AsParameter(parameter), "SetParameter", ComponentKind.Tensor);
    }

    /// <summary>Registers <paramref name="buffer"/> under <paramref name="target"/>, replacing the buffer there or adding one, and stores it in the owner's fields bound to that name.</summary>
    /// <exception cref="ArgumentException">The name is invalid or names a parameter or submodule.</exception>
    public void SetBuffer(string target, Tensor buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        var (owner, name) = Split(target);
        owner.SetOwn(owner._buffers, name, buffer, "SetBuffer", ComponentKind.Tensor);
    }

    /// <summary>
    /// Registers <paramref name="value"/> as this module's parameter <paramref name="name"/> in place of
    /// <paramref name="current"/>, whose shape (<paramref name="layout"/>) it must have: a layer's settable weight.
    /// </summary>
    private protected void ReplaceParameter(string name, Tensor current, Tensor value, string layout)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.Shape.Equals(current.Shape))
            throw new ArgumentException($"{TypeName}: the {name} must have shape {current.Shape} ({layout}), got {value.Shape}", nameof(value));
        SetParameter(name, value);
    }

    private void SetOwn<T>(List<KeyValuePair<string, T>> list, string name, T value, string op, ComponentKind kind) where T : class
    {
        CheckName(name, GetType());
        if (!ReferenceEquals(list, _parameters) && Has(_parameters, name) || !ReferenceEquals(list, _buffers) && Has(_buffers, name)
            || !ReferenceEquals(list, _modules) && Has(_modules, name))
            throw new ArgumentException($"{op}: '{name}' is already registered in {TypeName} as another kind (parameter, buffer or submodule)");
        if (value is ModuleBase module)
        {
            CheckNoCycle(name, module);
            CheckChild(name, module);
        }
        int index = IndexOf(list, name);
        T? old = index >= 0 ? list[index].Value : null;
        WriteFields(name, old, value, op, kind);
        if (index >= 0) list[index] = new(name, value);
        else list.Add(new(name, value));
    }

    /// <summary>Stores <paramref name="value"/> in every field bound to <paramref name="name"/>: named like it, or holding <paramref name="old"/>.</summary>
    private void WriteFields(string name, object? old, object value, string op, ComponentKind kind)
    {
        string key = ComponentFields.Key(name);
        var bound = new List<ComponentField>();
        foreach (ComponentField f in ComponentFields.Of(GetType()))
        {
            if (f.Kind != kind) continue;
            object? current = f.Field.GetValue(this);
            if (f.Key != key && (old is null || !ReferenceEquals(current, old))) continue;
            if (!f.Field.FieldType.IsInstanceOfType(value))
                throw new ArgumentException($"{op}: {TypeName}.{name} is held in {f.Description} of type {ModuleNames.Of(f.Field.FieldType)}, which cannot hold a {ModuleNames.Of(value.GetType())}");
            bound.Add(f);
        }
        foreach (ComponentField f in bound) f.Field.SetValue(this, value);
    }

    /// <summary>The first-use check of Module.Forward: the fields of this module only, once (see Note [Module registration]).</summary>
    private protected void CheckFieldsOnce()
    {
        if (!_fieldsChecked) SyncFields(strict: true);
    }

    /// <summary>Registers assigned fields and, when <paramref name="strict"/>, rejects unregistered ones (Note [Module registration]).</summary>
    private void SyncFields(bool strict)
    {
        ComponentField[] fields = ComponentFields.Of(GetType());
        HashSet<object>? below = null;
        foreach (ComponentField f in fields)
        {
            object? value = f.Field.GetValue(this);
            if (value is null) continue;
            switch (f.Kind)
            {
                case ComponentKind.Module:
                    var m = (ModuleBase)value;
                    if (!Holds(_modules, m) && !Reassigned(_modules, f, m, strict) && !(below ??= Below()).Contains(m) && strict)
                        throw Unregistered(f, ModuleNames.Of(m.GetType()), $"register it in the constructor: {Fix(f, "RegisterModule")}");
                    break;
                case ComponentKind.Tensor:
                    var t = (Tensor)value;
                    if (Holds(_parameters, t) || Holds(_buffers, t) || Reassigned(_parameters, f, t, strict) || Reassigned(_buffers, f, t, strict)) break;
                    if (strict && t.RequiresGrad && t.IsLeaf && !(below ??= Below()).Contains(t))
                        throw Unregistered(f, $"trainable tensor of shape {t.Shape}", $"register it in the constructor: {Fix(f, "RegisterParameter")}, or RegisterBuffer if it is state that is not trained");
                    break;
                default:
                    if (!strict) break;
                    foreach (object? item in Items((System.Collections.IEnumerable)value))
                        if (item is ModuleBase or Tensor { RequiresGrad: true, IsLeaf: true } && !(below ??= Below()).Contains(item))
                            throw Unregistered(f, item is ModuleBase ? "collection of modules" : "collection of trainable tensors",
                                item is ModuleBase ? "hold them in a ModuleList or ModuleDict registered with RegisterModule" : "hold them in a ParameterList or ParameterDict registered with RegisterModule");
                    break;
            }
        }
        if (strict) _fieldsChecked = true;
    }

    /// <summary>The elements of a collection field; a dictionary's values.</summary>
    private static IEnumerable<object?> Items(System.Collections.IEnumerable values)
    {
        foreach (object? item in values)
        {
            Type? type = item?.GetType();
            yield return type is { IsGenericType: true } && type.GetGenericTypeDefinition() == typeof(KeyValuePair<,>)
                ? type.GetProperty("Value")!.GetValue(item) : item;
        }
    }

    private static bool Holds<T>(List<KeyValuePair<string, T>> list, T value) where T : class
    {
        foreach (var entry in list)
            if (ReferenceEquals(entry.Value, value)) return true;
        return false;
    }

    /// <summary>Re-registers a module assigned to a field named like one of this module's registrations.</summary>
    private bool Reassigned(List<KeyValuePair<string, ModuleBase>> list, ComponentField f, ModuleBase value, bool strict)
    {
        int i = list.FindIndex(e => ComponentFields.Key(e.Key) == f.Key);
        if (i < 0) return false;
        try
        {
            CheckNoCycle(list[i].Key, value);
            CheckChild(list[i].Key, value);
        }
        catch (ArgumentException) when (!strict)
        {
            return true;
        }
        list[i] = new(list[i].Key, value);
        return true;
    }

    /// <summary>Re-registers a tensor assigned to a field named like one of this module's parameters or buffers.</summary>
    private bool Reassigned(List<KeyValuePair<string, Tensor>> list, ComponentField f, Tensor value, bool strict)
    {
        int i = list.FindIndex(e => ComponentFields.Key(e.Key) == f.Key);
        if (i < 0) return false;
        bool parameter = ReferenceEquals(list, _parameters);
        if (parameter && !value.IsLeaf)
        {
            if (!strict) return true;
            throw new InvalidOperationException(
                $"module: {TypeName}'s {f.Description} holds a tensor produced by {value.GradFn!.Name}, but its name matches the parameter '{list[i].Key}', " +
                "and a parameter must be a leaf: assign a leaf (t.Detach()), or rename the field or mark it [NotRegistered] if it is not the parameter");
        }
        list[i] = new(list[i].Key, parameter ? AsParameter(value) : value);
        return true;
    }

    /// <summary>Every module and tensor registered below this module (not its own registrations).</summary>
    private HashSet<object> Below()
    {
        var result = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<ModuleBase>(_modules.Select(m => m.Value));
        while (stack.Count > 0)
        {
            ModuleBase m = stack.Pop();
            if (!result.Add(m)) continue;
            foreach (var (_, p) in m._parameters) result.Add(p);
            foreach (var (_, b) in m._buffers) result.Add(b);
            foreach (var (_, c) in m._modules) stack.Push(c);
        }
        return result;
    }

    private static string Fix(ComponentField f, string method)
    {
        string member = f.Description[(f.Description.IndexOf('\'', StringComparison.Ordinal) + 1)..^1];
        return $"{member} = {method}(\"{SnakeCase(member)}\", ...)";
    }

    private InvalidOperationException Unregistered(ComponentField f, string what, string fix) => new(
        $"module: {TypeName}'s {f.Description} holds a {what} that is not registered, so it would not be trained, saved or moved with the module; " +
        $"{fix} (or mark the member [NotRegistered] if {TypeName} does not own it)");

    /// <summary>PyTorch's spelling of a C# member name: <c>LmHead</c> and <c>_lmHead</c> give <c>lm_head</c>.</summary>
    internal static string SnakeCase(string name)
    {
        var sb = new System.Text.StringBuilder();
        string trimmed = name.TrimStart('_');
        for (int i = 0; i < trimmed.Length; i++)
        {
            char c = trimmed[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(trimmed[i - 1]) || char.IsDigit(trimmed[i - 1]))) sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    /// <summary>Inserts a submodule at <paramref name="index"/> and renames all of them by position (<c>0</c>, <c>1</c>, ...), for list containers.</summary>
    internal void InsertModuleAt(int index, ModuleBase module)
    {
        CheckNoCycle(index.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        CheckChild(index.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        _modules.Insert(index, new("", module));
        Renumber(_modules);
    }

    /// <summary>Removes the submodule at <paramref name="index"/> and renames the rest by position, for list containers.</summary>
    internal void RemoveModuleAt(int index)
    {
        _modules.RemoveAt(index);
        Renumber(_modules);
    }

    /// <summary>Removes the entry <paramref name="name"/> (module or parameter), for dictionary containers; false when there is none.</summary>
    internal bool RemoveEntry(string name)
    {
        int i = IndexOf(_modules, name);
        if (i >= 0) _modules.RemoveAt(i);
        int j = IndexOf(_parameters, name);
        if (j >= 0) _parameters.RemoveAt(j);
        return i >= 0 || j >= 0;
    }

    private static void Renumber<T>(List<KeyValuePair<string, T>> list)
    {
        for (int i = 0; i < list.Count; i++) list[i] = new(i.ToString(System.Globalization.CultureInfo.InvariantCulture), list[i].Value);
    }
}
