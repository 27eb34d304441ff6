namespace Nabla.NN;

/// <summary>
/// A module with one input of any types and a result of any type (a tuple for several outputs), typed at compile time
/// as TorchSharp's forms: subclasses implement <see cref="OnForward"/>, callers use <see cref="Forward"/>.
/// </summary>
/// <remarks>
/// <para>Hooks, <see cref="ModuleBase.Summary(object?[])"/>, graph export, state dicts and fusion of children work as for
/// <see cref="Module"/> (Note [Module forms]); tensors inside a result are found in a <see cref="Tensor"/>, a
/// <c>Tensor[]</c> or a value tuple of them.</para>
/// <code>
/// sealed class Rnn : Module&lt;Tensor, (Tensor Output, Tensor State)&gt; { ... }   // one input, two outputs
/// </code>
/// </remarks>
/// <typeparam name="T">The type of the input.</typeparam>
/// <typeparam name="TResult">The type of the result.</typeparam>
public abstract class Module<T, TResult> : ModuleBase
{
    private static readonly Type[] Inputs = [typeof(T)];

    /// <summary>Runs the module, with its pre-hooks before and its forward hooks after.</summary>
    /// <param name="input">The input.</param>
    public TResult Forward(T input) => (TResult)CallForward([input])!;

    /// <summary>The computation of this module.</summary>
    /// <param name="input">The input.</param>
    protected abstract TResult OnForward(T input);

    /// <inheritdoc/>
    internal override IReadOnlyList<Type> InputTypes => Inputs;

    /// <inheritdoc/>
    private protected override object? InvokeOnForward(object?[] inputs) => OnForward((T)inputs[0]!);

    /// <summary>Registers a hook called before every forward pass with (module, inputs). Dispose the result to remove it.</summary>
    public IDisposable RegisterForwardPreHook(Action<Module<T, TResult>, T> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        return base.RegisterForwardPreHook((_, inputs) => hook(this, (T)inputs[0]!));
    }

    /// <summary>Registers a hook called after every forward pass with (module, inputs, result). Dispose the result to remove it.</summary>
    public IDisposable RegisterForwardHook(Action<Module<T, TResult>, T, TResult> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        return base.RegisterForwardHook((_, inputs, output) => hook(this, (T)inputs[0]!, (TResult)output!));
    }
}
