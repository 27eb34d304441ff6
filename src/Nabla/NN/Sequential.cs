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
    /// <remarks>A Conv2d or Linear directly followed by a Relu runs as one fused op when neither has a forward hook and anomaly mode
    /// is off (see Note [Fused convolution + ReLU] and Note [Fused linear]).</remarks>
    protected override Tensor OnForward(Tensor input)
    {
        Tensor x = input;
        for (int i = 0; i < _layers.Count; i++)
        {
            Module m = _layers[i];
            // NOTE: not in anomaly mode, which names the primitive op (and module) that produced a non-finite value.
            if (i + 1 < _layers.Count && _layers[i + 1] is Relu relu && !m.HasForwardHooks && !relu.HasForwardHooks && !Autograd.IsAnomalyEnabled)
            {
                Tensor? fused = m switch { Conv2d conv => conv.ForwardRelu(x), Linear linear => linear.ForwardRelu(x), _ => null };
                if (fused is not null)
                {
                    x = fused;
                    i++;
                    continue;
                }
            }
            x = m.Forward(x);
        }
        return x;
    }
}
