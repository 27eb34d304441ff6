using Nabla.Graph;

namespace Nabla;

/// <summary>Global switches and functional entry points of the autograd engine.</summary>
public static class Autograd
{
    [ThreadStatic] private static int t_noGradDepth;
    [ThreadStatic] private static int t_anomalyDepth;

    /// <summary>True when operations on the current thread are being recorded.</summary>
    public static bool IsGradEnabled => t_noGradDepth == 0;

    /// <summary>Disables recording on the current thread until the returned scope is disposed.</summary>
    /// <example><code>using (Autograd.NoGrad()) { w.SubInPlace(w.Grad! * lr); }</code></example>
    public static IDisposable NoGrad()
    {
        t_noGradDepth++;
        return new Scope(static () => t_noGradDepth--);
    }

    /// <summary>Re-enables recording on the current thread (inside a <see cref="NoGrad"/> scope) until disposed.</summary>
    public static IDisposable EnableGrad()
    {
        int saved = t_noGradDepth;
        t_noGradDepth = 0;
        return new Scope(() => t_noGradDepth = saved);
    }

    /// <summary>True inside a <see cref="DetectAnomaly"/> scope on the current thread.</summary>
    public static bool IsAnomalyEnabled => t_anomalyDepth > 0;

    /// <summary>
    /// Turns on anomaly detection on the current thread until the returned scope is disposed: every recorded op
    /// remembers where it was created, and the first NaN or infinity produced by a recorded op in the forward pass,
    /// or returned by a backward rule, throws an <see cref="AnomalyException"/> naming the op, its backward node,
    /// the input shapes and the creation stack trace.
    /// </summary>
    /// <remarks>
    /// Anomaly mode is slow (a stack trace per op and a scan of every result); it is meant for finding the first
    /// non-finite value, not for training. Outside it the cost is one thread-static read per recorded op.
    /// Only recorded ops (those with an input that requires a gradient) are checked in the forward pass.
    /// See Note [Anomaly mode].
    /// </remarks>
    /// <example><code>using (Autograd.DetectAnomaly()) { loss = model.Forward(x).Log().Mean(); loss.Backward(); }</code></example>
    public static IDisposable DetectAnomaly()
    {
        t_anomalyDepth++;
        return new Scope(static () => t_anomalyDepth--);
    }

    /// <summary>
    /// Obsolete: whether backward passes on the calling thread end with a collection; use
    /// <see cref="Runtime.CollectAfterBackward.Enable()"/> (docs/runtime.md). Off by default, like every switch of
    /// <c>Nabla.Runtime</c>; setting it applies to the calling thread, where the training loop runs, not to the process.
    /// </summary>
    [Obsolete("Use Nabla.Runtime.CollectAfterBackward.Enable() around the loop; the collection is off by default (docs/runtime.md).")]
    public static bool CollectAfterBackward
    {
        get => Runtime.CollectAfterBackward.IsEnabled;
        set => Runtime.CollectAfterBackward.SetForThread(value);
    }

    /// <summary>
    /// Attaches a user-defined backward node to the result of a custom op, which is how an op without a built-in rule
    /// joins the graph (PyTorch's <c>torch.autograd.Function</c>).
    /// </summary>
    /// <remarks>
    /// <para>Compute <paramref name="result"/> without recording (inside <see cref="NoGrad"/>, or from
    /// <see cref="Tensor.Detach"/>ed inputs), then subclass <see cref="Node"/> with the op's inputs and a
    /// <see cref="Node.Backward"/> rule that returns one gradient per input:</para>
    /// <code>
    /// sealed class CubeBackward : Node
    /// {
    ///     public CubeBackward(Tensor x) : base(x) => Save(x);
    ///     // d(x^3)/dx = 3x^2
    ///     public override Tensor?[] Backward(Tensor grad) => [grad * 3 * Saved(0) * Saved(0)];
    /// }
    /// static Tensor Cube(Tensor x)
    /// {
    ///     Tensor y;
    ///     using (Autograd.NoGrad()) y = x * x * x;
    ///     return Autograd.Record(y, new CubeBackward(x));
    /// }
    /// </code>
    /// <para>Nothing is attached when grad mode is off or no input of the node requires a gradient. Use a new node
    /// for every result. <see cref="Diagnostics.GradCheck"/> checks such a rule against finite differences.</para>
    /// </remarks>
    /// <param name="result">The op's freshly computed result (a tensor that is not part of any graph).</param>
    /// <param name="node">The backward node, constructed over the op's inputs.</param>
    /// <returns><paramref name="result"/>, now with <see cref="Tensor.GradFn"/> set to <paramref name="node"/>.</returns>
    public static Tensor Record(Tensor result, Node node)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(node);
        if (!result.IsLeaf)
            throw new ArgumentException(
                $"record: the result of {node.Name} was already produced by {result.GradFn!.Name}; compute a custom op's result " +
                "inside Autograd.NoGrad() (or from Detach()ed inputs) so that its node is the only backward rule", nameof(result));
        if (result.RequiresGrad)
            throw new ArgumentException(
                $"record: the result of {node.Name} is a leaf that requires a gradient (a parameter or an input); a custom op must return a new tensor", nameof(result));
        if (node.IsAttached)
            throw new ArgumentException($"record: the node {node.Name} is already attached to another tensor; create a new node for every result", nameof(node));
        if (!IsGradEnabled || !node.HasDifferentiableInput) return result;
        result.SetGradFn(node);
        return result;
    }

    internal static bool ShouldRecord(Tensor a) => a.RequiresGrad && IsGradEnabled;

    internal static bool ShouldRecord(Tensor a, Tensor b) => (a.RequiresGrad || b.RequiresGrad) && IsGradEnabled;

    internal static bool ShouldRecord(ReadOnlySpan<Tensor?> ts)
    {
        if (!IsGradEnabled) return false;
        foreach (var t in ts) if (t is not null && t.RequiresGrad) return true;
        return false;
    }

    /// <summary>
    /// Computes and returns the gradients of <paramref name="outputs"/> with respect to <paramref name="inputs"/>
    /// without touching any tensor's <see cref="Tensor.Grad"/>.
    /// </summary>
    /// <param name="outputs">Tensors to differentiate.</param>
    /// <param name="inputs">Tensors to differentiate with respect to (leaves or intermediate results).</param>
    /// <param name="gradOutputs">Upstream gradients, one per output; may be omitted for one-element outputs.</param>
    /// <param name="createGraph">Record the backward pass, so the results can be differentiated again.</param>
    /// <param name="retainGraph">Keep the graph for another backward pass (defaults to <paramref name="createGraph"/>).</param>
    /// <param name="allowUnused">Return null for an input the outputs do not depend on instead of throwing.</param>
    public static Tensor?[] Grad(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor> inputs,
        IReadOnlyList<Tensor>? gradOutputs = null, bool createGraph = false, bool? retainGraph = null, bool allowUnused = false)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(inputs);
        for (int i = 0; i < inputs.Count; i++)
            if (!inputs[i].RequiresGrad)
                throw new ArgumentException($"grad: input {i} (shape {inputs[i].Shape}) does not require a gradient");
        var result = Engine.Run(outputs, gradOutputs, retainGraph ?? createGraph, createGraph, inputs);
        for (int i = 0; i < result.Length; i++)
            if (result[i] is null && !allowUnused)
                throw new InvalidOperationException(
                    $"grad: input {i} (shape {inputs[i].Shape}) was not used to compute the outputs; pass allowUnused: true to get null for it");
        return result;
    }

    /// <summary>Single-output, single-input form of <see cref="Grad(IReadOnlyList{Tensor}, IReadOnlyList{Tensor}, IReadOnlyList{Tensor}?, bool, bool?, bool)"/>.</summary>
    public static Tensor Grad(Tensor output, Tensor input, Tensor? gradOutput = null, bool createGraph = false)
        => Grad([output], [input], gradOutput is null ? null : [gradOutput], createGraph)[0]!;
}
