namespace Nabla.NN;

/// <summary>
/// A module with two inputs of any types and a result of any type (a tuple for several outputs), typed at compile time
/// as TorchSharp's forms: subclasses implement <see cref="OnForward"/>, callers use <see cref="Forward"/>.
/// </summary>
/// <remarks>
/// <para>Hooks, <see cref="ModuleBase.Summary(object?[])"/>, graph export, state dicts and fusion of children work as for
/// <see cref="Module"/> (Note [Module forms]); tensors inside a result are found in a <see cref="Tensor"/>, a
/// <c>Tensor[]</c> or a value tuple of them.</para>
/// <code>
/// sealed class MaskedMean : Module&lt;Tensor, Tensor, Tensor&gt;
/// {
///     protected override Tensor OnForward(Tensor x, Tensor mask) =&gt; (x * mask).Sum(1) / mask.Sum(1);
/// }
/// </code>
/// </remarks>
/// <typeparam name="T1">The type of the first input.</typeparam>
/// <typeparam name="T2">The type of the second input.</typeparam>
/// <typeparam name="TResult">The type of the result.</typeparam>
public abstract class Module<T1, T2, TResult> : ModuleBase
{
    private static readonly Type[] Inputs = [typeof(T1), typeof(T2)];

    /// <summary>Runs the module, with its pre-hooks before and its forward hooks after.</summary>
    /// <param name="input1">The first input.</param>
    /// <param name="input2">The second input.</param>
    public TResult Forward(T1 input1, T2 input2) => (TResult)CallForward([input1, input2])!;

    /// <summary>The computation of this module.</summary>
    /// <param name="input1">The first input.</param>
    /// <param name="input2">The second input.</param>
    protected abstract TResult OnForward(T1 input1, T2 input2);

    /// <inheritdoc/>
    internal override IReadOnlyList<Type> InputTypes => Inputs;

    /// <inheritdoc/>
    private protected override object? InvokeOnForward(object?[] inputs) => OnForward((T1)inputs[0]!, (T2)inputs[1]!);

    /// <summary>Registers a hook called before every forward pass with (module, inputs). Dispose the result to remove it.</summary>
    public IDisposable RegisterForwardPreHook(Action<Module<T1, T2, TResult>, T1, T2> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        return base.RegisterForwardPreHook((_, inputs) => hook(this, (T1)inputs[0]!, (T2)inputs[1]!));
    }

    /// <summary>Registers a hook called after every forward pass with (module, inputs, result). Dispose the result to remove it.</summary>
    public IDisposable RegisterForwardHook(Action<Module<T1, T2, TResult>, T1, T2, TResult> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        return base.RegisterForwardHook((_, inputs, output) => hook(this, (T1)inputs[0]!, (T2)inputs[1]!, (TResult)output!));
    }
}
