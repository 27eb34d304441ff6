namespace Nabla.NN;

public abstract partial class ModuleBase
{
    private List<Action<ModuleBase, IReadOnlyList<object?>>>? _preHooks;
    private List<Action<ModuleBase, IReadOnlyList<object?>, object?>>? _forwardHooks;
    private List<Func<ModuleBase, IReadOnlyList<Tensor?>, IReadOnlyList<Tensor?>, Tensor?[]?>>? _backwardHooks;

    /// <summary>Whether any hook is registered (<see cref="ModuleExtensions.Fuse"/> then leaves the module alone).</summary>
    internal bool HasHooks => _preHooks is { Count: > 0 } || _forwardHooks is { Count: > 0 } || _backwardHooks is { Count: > 0 };

    /// <summary>Whether a forward call can go straight to the computation: checked fields, no hook, no anomaly mode.</summary>
    private protected bool IsPlainCall => _fieldsChecked && !HasHooks && !Autograd.IsAnomalyEnabled;

    /// <summary>The types of the forward's inputs, or null for a module without a forward (a container).</summary>
    internal virtual IReadOnlyList<Type>? InputTypes => null;

    /// <summary>Calls the form's <c>OnForward</c> with <paramref name="inputs"/> (see Note [Module forms]).</summary>
    private protected virtual object? InvokeOnForward(object?[] inputs) =>
        throw new InvalidOperationException($"{TypeName} has no forward of its own; call the modules it holds");

    /// <summary>
    /// One forward call with everything around it: the registration check on first use, anomaly mode's module scope,
    /// pre-hooks, backward hooks (Note [Module backward hooks]) and forward hooks, in PyTorch's order.
    /// </summary>
    private protected object? CallForward(object?[] inputs)
    {
        CheckFieldsOnce();
        using IDisposable? scope = Autograd.IsAnomalyEnabled ? Graph.AnomalyRecord.EnterModule(ToString()) : null;
        if (_preHooks is { Count: > 0 } pre)
            foreach (var hook in pre.ToArray()) hook(this, inputs);
        BackwardHookCall? call = _backwardHooks is { Count: > 0 } backward && Autograd.IsGradEnabled ? new BackwardHookCall(this, [.. backward]) : null;
        if (call is not null) inputs = call.WrapInputs(inputs);
        object? output = InvokeOnForward(inputs);
        if (_forwardHooks is { Count: > 0 } post)
            foreach (var hook in post.ToArray()) hook(this, inputs, output);
        return call is null ? output : call.WrapOutput(output);
    }

    /// <summary>
    /// Registers a hook called before every forward pass with (module, inputs); the forms offer typed overloads. The
    /// hook observes the inputs (it cannot replace them) and may change the module's state. Dispose the result to remove it.
    /// </summary>
    public IDisposable RegisterForwardPreHook(Action<ModuleBase, IReadOnlyList<object?>> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        return Add(_preHooks ??= [], hook);
    }

    /// <summary>
    /// Registers a hook called after every forward pass with (module, inputs, output); the forms offer typed overloads.
    /// Several outputs arrive as the form's result (a tuple). The hook observes; it cannot replace the output. Dispose to remove.
    /// </summary>
    public IDisposable RegisterForwardHook(Action<ModuleBase, IReadOnlyList<object?>, object?> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        return Add(_forwardHooks ??= [], hook);
    }

    /// <summary>
    /// Registers a hook called with (module, gradInput, gradOutput) when the gradients with respect to the module's
    /// inputs have been computed, once per backward pass through each forward call, as PyTorch's
    /// <c>register_full_backward_hook</c>. Returning an array (one entry per input, null for none) replaces the input gradients.
    /// </summary>
    /// <remarks>
    /// <para><c>gradInput</c> has one entry per forward argument: the gradient with respect to it for a tensor argument that
    /// requires a gradient (zeros if it got none, as PyTorch), null otherwise. <c>gradOutput</c> has one entry per tensor of
    /// the output (a tensor, a <c>Tensor[]</c> or a tuple of them, in order): its gradient, or null when it got none. When
    /// no input requires a gradient, the hook is called when the output gradients are known, with all of
    /// <c>gradInput</c> null (its return value is then ignored). Hooks run in registration order, each seeing the input
    /// gradients the previous one returned. Only calls made with gradients enabled are hooked; the hooked tensors pass
    /// through identity ops named <c>BackwardHookFunctionBackward</c> (Note [Module backward hooks]).</para>
    /// </remarks>
    public IDisposable RegisterFullBackwardHook(Func<ModuleBase, IReadOnlyList<Tensor?>, IReadOnlyList<Tensor?>, Tensor?[]?> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        return Add(_backwardHooks ??= [], hook);
    }

    /// <summary>Registers a full backward hook that observes (module, gradInput, gradOutput) without replacing anything.</summary>
    public IDisposable RegisterFullBackwardHook(Action<ModuleBase, IReadOnlyList<Tensor?>, IReadOnlyList<Tensor?>> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        return RegisterFullBackwardHook((m, gradInput, gradOutput) =>
        {
            hook(m, gradInput, gradOutput);
            return null;
        });
    }

    private static Removal Add<T>(List<T> list, T hook)
    {
        list.Add(hook);
        return new Removal(() => list.Remove(hook));
    }

    private sealed class Removal(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }
}
