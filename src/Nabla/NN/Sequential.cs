namespace Nabla.NN;

/// <summary>Runs its modules in order; they are named <c>0</c>, <c>1</c>, ... as in PyTorch.</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _layers = [];

    /// <summary>Creates a sequence of the given modules.</summary>
    public Sequential(params Module[] modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (Module m in modules) Add(m);
    }

    /// <summary>Appends a module, named by its position.</summary>
    public Sequential Add(Module module)
    {
        _layers.Add(RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module));
        return this;
    }

    /// <summary>The number of modules.</summary>
    public int Count => _layers.Count;

    /// <summary>The module at <paramref name="index"/>.</summary>
    public Module this[int index] => _layers[index];

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input)
    {
        Tensor x = input;
        foreach (Module m in _layers) x = m.Forward(x);
        return x;
    }

    /// <summary>
    /// Replaces each module that has a fused form with its next module (<see cref="Module.FuseWith"/>, e.g. a Linear
    /// followed by a Relu becomes a <see cref="LinearRelu"/>) by that fused form, and the next one by an
    /// <see cref="Identity"/>, so that names and the state_dict stay as they were. Modules with forward hooks are left alone.
    /// </summary>
    protected override void OnFuse()
    {
        for (int i = 0; i + 1 < _layers.Count; i++)
        {
            Module m = _layers[i], next = _layers[i + 1];
            if (m.HasForwardHooks || next.HasForwardHooks || m.FuseWith(next) is not { } fused) continue;
            Replace(i, fused);
            Replace(i + 1, new Identity());
            i++;
        }
    }

    private void Replace(int index, Module module)
    {
        _layers[index] = module;
        ReplaceModule(index.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
    }
}
