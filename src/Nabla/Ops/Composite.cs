using Nabla.Graph;

namespace Nabla.Ops;

// Note [Composite ops]
// An op built from differentiable primitives (a loss, layer norm, conv1d, stack, ...) reports its own node, as PyTorch's
// ops do, not its last primitive's: users read GradFn names, graph exports and anomaly reports by op. The name is
// PyTorch's node where PyTorch records one for the op (NativeGroupNormBackward), else the op's own (KlDivBackward for
// F.kl_div, which PyTorch composes and names by its last primitive, depending on the reduction). Composite.Run
// computes the primitives on aliases of the op's inputs (Detach()ed leaves over the same storage, so the version counter
// is shared), which closes their graph: nothing in it leads outside the op. CompositeBackward's rule backpropagates
// through that inner graph alone, with a nested engine run whose targets are the aliases, and hands their gradients to
// the real inputs. The primitives, their rules and their roundings are unchanged, so results are bit for bit the
// composite's. Under createGraph the nested run records its rules, and each input's gradient is wrapped the same way
// (a composite over the inputs and the upstream gradient, whose inner graph is that recorded one), so derivatives of
// any order reach the real inputs. Nested runs retain the inner graph (a second-order rule may walk it again); it is
// dropped with the node's saved tensors. Only a tensor passed as an input may require a gradient inside the op.
internal static class Composite
{
    /// <summary>
    /// <paramref name="f"/> applied to <paramref name="inputs"/> (null entries are absent optional inputs), recorded as one
    /// node named <paramref name="name"/> when gradients are recorded (Note [Composite ops]).
    /// </summary>
    public static Tensor Run(string name, Tensor?[] inputs, Func<Tensor?[], Tensor> f)
    {
        if (!Autograd.ShouldRecord(inputs)) return f(inputs);
        Tensor?[] aliases = Aliases(inputs);
        Tensor inner = f(aliases);
        return Attach(name, inputs, aliases, inner);
    }

    /// <summary><paramref name="f"/> of one input, recorded as one node (see <see cref="Run(string, Tensor?[], Func{Tensor?[], Tensor})"/>).</summary>
    public static Tensor Run(string name, Tensor x, Func<Tensor, Tensor> f) => Run(name, [x], a => f(a[0]!));

    /// <summary><paramref name="f"/> of two inputs, recorded as one node.</summary>
    public static Tensor Run(string name, Tensor x, Tensor? y, Func<Tensor, Tensor?, Tensor> f) => Run(name, [x, y], a => f(a[0]!, a[1]));

    internal static Tensor?[] Aliases(Tensor?[] inputs)
    {
        var aliases = new Tensor?[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            Tensor? x = inputs[i];
            if (x is null || !x.RequiresGrad)
            {
                aliases[i] = x;
                continue;
            }
            Tensor a = x.Detach();
            a.RequiresGrad = true;
            aliases[i] = a;
        }
        return aliases;
    }

    /// <summary>The op's result: <paramref name="inner"/>'s elements under a node over the real inputs.</summary>
    internal static Tensor Attach(string name, Tensor?[] inputs, Tensor?[] aliases, Tensor inner)
    {
        // An op that returns an input unchanged (or a constant) has nothing inside to backpropagate.
        for (int i = 0; i < aliases.Length; i++)
            if (ReferenceEquals(inner, aliases[i])) return inputs[i]!;
        if (inner.GradFn is null) return inner;
        Tensor result = inner.Detach();
        result.SetGradFn(new CompositeBackward(name, inputs, aliases, inner));
        return result;
    }
}

/// <summary>The node of a composite op: backpropagates through the op's closed inner graph (Note [Composite ops]).</summary>
internal sealed class CompositeBackward : Node
{
    private readonly int _arity;
    private readonly bool[] _present;

    // Saved: 0 the inner result, then the aliases, then the real inputs (for the edges of the next order's nodes).
    public CompositeBackward(string name, Tensor?[] inputs, Tensor?[] aliases, Tensor inner) : base(name, inputs)
    {
        _arity = inputs.Length;
        _present = new bool[_arity];
        Save(inner);
        for (int i = 0; i < _arity; i++)
        {
            _present[i] = inputs[i] is { RequiresGrad: true };
            Save(_present[i] ? aliases[i] : null);
        }
        for (int i = 0; i < _arity; i++) Save(_present[i] ? inputs[i] : null);
    }

    public override Tensor?[] Backward(Tensor grad)
    {
        var targets = new List<Tensor>(_arity);
        for (int i = 0; i < _arity; i++)
            if (_present[i] && NeedsGrad(i)) targets.Add(Saved(1 + i));
        var result = new Tensor?[_arity];
        if (targets.Count == 0) return result;

        // The engine records rules exactly when it runs with createGraph (Note [Engine]).
        bool createGraph = Autograd.IsGradEnabled;
        Tensor upstream = grad;
        if (createGraph && grad.RequiresGrad)
        {
            upstream = grad.Detach();
            upstream.RequiresGrad = true;
        }
        Tensor?[] captured = Engine.Run([Saved(0)], [upstream], retainGraph: true, createGraph, targets);
        for (int i = 0, k = 0; i < _arity; i++)
        {
            if (!(_present[i] && NeedsGrad(i))) continue;
            Tensor? g = captured[k++];
            result[i] = g is not null && createGraph ? NextOrder(g, grad, upstream) : g;
        }
        return result;
    }

    /// <summary>Under createGraph: a gradient of the inner graph becomes a composite over the real inputs and <paramref name="grad"/>.</summary>
    private Tensor NextOrder(Tensor g, Tensor grad, Tensor upstream)
    {
        var inputs = new Tensor?[_arity + 1];
        var aliases = new Tensor?[_arity + 1];
        for (int i = 0; i < _arity; i++)
        {
            inputs[i] = _present[i] ? Saved(1 + _arity + i) : null;
            aliases[i] = _present[i] ? Saved(1 + i) : null;
        }
        inputs[_arity] = grad;
        aliases[_arity] = upstream;
        return Composite.Attach(Name + "Backward", inputs, aliases, g);
    }
}
