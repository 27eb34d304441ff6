namespace Nabla.NN;

public abstract partial class ModuleBase
{
    /// <summary>
    /// Parameters and buffers by <c>state_dict</c> name in PyTorch's order (per module: its parameters, its buffers, then
    /// its submodules). A tensor registered under several names (tied weights, a shared module) appears under each.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> StateDict()
    {
        var result = new Dictionary<string, Tensor>();
        var stack = new Stack<(string, ModuleBase)>([("", this)]);
        while (stack.Count > 0)
        {
            var (prefix, m) = stack.Pop();
            m.SyncFields(strict: true);
            foreach (var (n, p) in m._parameters) result[Join(prefix, n)] = p;
            foreach (var (n, b) in m._buffers) result[Join(prefix, n)] = b;
            for (int i = m._modules.Count - 1; i >= 0; i--) stack.Push((Join(prefix, m._modules[i].Key), m._modules[i].Value));
        }
        return result;
    }

    /// <summary>
    /// Copies tensors into this module's parameters and buffers by name (converting the dtype) and returns the names
    /// that did not match. A tensor the module holds under several names (tied weights) is loaded from whichever of its
    /// names the state has; it is missing only when the state has none of them.
    /// </summary>
    /// <param name="state">Tensors by <c>state_dict</c> name, such as <see cref="StateDict"/>'s or a safetensors file's.</param>
    /// <param name="strict">True (the default): a missing or unexpected name is an error, and nothing is copied. False: the
    /// names that match are loaded and the others are returned.</param>
    /// <returns>The module's names the state lacks (<see cref="IncompatibleKeys.MissingKeys"/>) and the state's names the module
    /// does not have (<see cref="IncompatibleKeys.UnexpectedKeys"/>); both empty after a strict load.</returns>
    /// <exception cref="ArgumentException">A shape differs (always; the message names the tensor and both shapes); the state
    /// gives different values for two names of one tied tensor; or, when <paramref name="strict"/>, a name is missing or unexpected.</exception>
    public IncompatibleKeys LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        IReadOnlyDictionary<string, Tensor> own = StateDict();
        var namesOf = new Dictionary<Tensor, List<string>>(ReferenceEqualityComparer.Instance);
        foreach (var (name, t) in own)
        {
            if (!namesOf.TryGetValue(t, out var names)) namesOf[t] = names = [];
            names.Add(name);
        }
        var problems = new List<string>();
        var missing = new List<string>();
        foreach (var (name, target) in own)
        {
            if (!state.TryGetValue(name, out Tensor? source))
            {
                if (namesOf[target].Any(state.ContainsKey)) continue;
                missing.Add(name);
                if (strict) problems.Add($"tensor '{name}' (shape {target.Shape} in the model) is missing from the state");
            }
            else if (!source.Shape.Equals(target.Shape))
                problems.Add($"tensor '{name}' has shape {source.Shape} in the state but {target.Shape} in the model");
        }
        List<string> unexpected = [.. state.Keys.Where(k => !own.ContainsKey(k))];
        if (strict)
            foreach (string name in unexpected) problems.Add($"unexpected tensor '{name}' of shape {state[name].Shape}, which the model does not have");
        problems.AddRange(TiedConflicts(state, namesOf));
        if (problems.Count > 0)
            throw new ArgumentException($"load_state_dict: the state does not match {TypeName}: {problems[0]}" +
                (problems.Count > 1 ? $" (and {problems.Count - 1} more: {string.Join("; ", problems.Skip(1).Take(3))}{(problems.Count > 4 ? "; ..." : "")})" : ""));
        foreach (var (name, target) in own)
            if (state.TryGetValue(name, out Tensor? source))
                using (Autograd.NoGrad()) target.CopyFrom(source);
        return new IncompatibleKeys(missing, unexpected);
    }

    /// <summary>Tied tensors whose names the state gives different values (loading either would silently drop the other).</summary>
    private static IEnumerable<string> TiedConflicts(IReadOnlyDictionary<string, Tensor> state, Dictionary<Tensor, List<string>> namesOf)
    {
        foreach (var names in namesOf.Values)
        {
            var given = names.Where(state.ContainsKey).ToList();
            for (int i = 1; i < given.Count; i++)
            {
                Tensor a = state[given[0]], b = state[given[i]];
                if (ReferenceEquals(a, b) || !a.Shape.Equals(b.Shape)) continue;
                if (!a.ToDoubleArray().AsSpan().SequenceEqual(b.ToDoubleArray()))
                    yield return $"'{given[0]}' and '{given[i]}' name one tied tensor of the model, but the state gives them different values";
            }
        }
    }

    /// <summary>Sets <see cref="Tensor.RequiresGrad"/> on every parameter (see <see cref="ModuleExtensions.RequiresGrad"/>).</summary>
    internal void SetRequiresGrad(bool requiresGrad)
    {
        foreach (Tensor p in Parameters()) p.RequiresGrad = requiresGrad;
    }

    /// <summary>Converts floating-point parameters and buffers in place (see <see cref="ModuleExtensions.To"/>).</summary>
    internal void ConvertTo(DType dtype)
    {
        if (!dtype.IsFloatingPoint())
            throw new ArgumentException($"to: a module converts only to a floating-point dtype (its integer buffers, such as counters, keep theirs), got {dtype.Name()}", nameof(dtype));
        foreach (Tensor t in Parameters().Concat(Buffers()))
        {
            if (!t.DType.IsFloatingPoint() || t.DType == dtype) continue;
            t.ConvertInPlace(dtype);
            if (t.Grad is { } g) t.Grad = g.Detach().To(dtype);
        }
    }
}
