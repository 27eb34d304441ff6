namespace Nabla.NN;

/// <summary>
/// A module that maps one tensor to one tensor, the form of every layer and of <see cref="Sequential"/>: subclasses
/// implement <see cref="OnForward"/>, callers use <see cref="Forward"/>, which also runs the hooks.
/// </summary>
/// <remarks>
/// <para>Registration, traversal, state dicts and printing are <see cref="ModuleBase"/>'s. A module with several inputs
/// or outputs, or inputs of other types, derives from <see cref="Module{T1, T2, TResult}"/> and its siblings instead
/// (Note [Module forms]).</para>
/// <code>
/// sealed class Mlp : Module
/// {
///     private readonly Linear _fc1, _fc2;
///     public Mlp() { _fc1 = RegisterModule("fc1", new Linear(4, 8)); _fc2 = RegisterModule("fc2", new Linear(8, 2)); }
///     protected override Tensor OnForward(Tensor x) => _fc2.Forward(_fc1.Forward(x).Relu());
/// }
/// </code>
/// </remarks>
public abstract class Module : ModuleBase
{
    private static readonly Type[] Inputs = [typeof(Tensor)];

    /// <summary>Runs the module on <paramref name="input"/>, with its pre-hooks before and its forward hooks after.</summary>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return IsPlainCall ? OnForward(input) : (Tensor)CallForward([input])!;
    }

    /// <summary>The computation of this module.</summary>
    protected abstract Tensor OnForward(Tensor input);

    /// <inheritdoc/>
    internal override IReadOnlyList<Type> InputTypes => Inputs;

    /// <inheritdoc/>
    private protected override object? InvokeOnForward(object?[] inputs) => OnForward((Tensor)inputs[0]!);

    /// <summary>Registers a hook called before every forward pass with (module, input). Dispose the result to remove it.</summary>
    public IDisposable RegisterForwardPreHook(Action<Module, Tensor> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        return base.RegisterForwardPreHook((_, inputs) => hook(this, (Tensor)inputs[0]!));
    }

    /// <summary>Registers a hook called after every forward pass with (module, input, output). Dispose the result to remove it.</summary>
    public IDisposable RegisterForwardHook(Action<Module, Tensor, Tensor> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        return base.RegisterForwardHook((_, inputs, output) => hook(this, (Tensor)inputs[0]!, (Tensor)output!));
    }

    /// <summary>
    /// The fused form of this module directly followed by <paramref name="next"/> in a <see cref="Sequential"/>, or null
    /// when there is none (see <see cref="ModuleExtensions.Fuse"/> and Note [Fusion]).
    /// </summary>
    protected internal virtual Module? FuseWith(Module next) => null;
}
