namespace Nabla.NN;

/// <summary>Deep copies of modules, for containers that repeat a layer (PyTorch's <c>copy.deepcopy</c> in <c>_get_clones</c>).</summary>
internal static class ModuleCopy
{
    /// <summary>
    /// Gives <paramref name="copy"/>, a freshly built module of <paramref name="source"/>'s configuration, the source's
    /// parameter and buffer values (new tensors), its frozen parameters and its training mode; returns the copy.
    /// </summary>
    public static T From<T>(T source, T copy) where T : ModuleBase
    {
        copy.LoadStateDict(source.StateDict());
        var frozen = source.NamedParameters().Where(p => !p.Parameter.RequiresGrad).Select(p => p.Name).ToHashSet();
        foreach (var (name, parameter) in copy.NamedParameters())
            if (frozen.Contains(name)) parameter.RequiresGrad = false;
        foreach (var ((_, from), (_, to)) in source.NamedModules().Zip(copy.NamedModules())) to.SetTraining(from.IsTraining);
        return copy;
    }
}
