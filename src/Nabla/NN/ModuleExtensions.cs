namespace Nabla.NN;

/// <summary>
/// The module methods that return the module itself, as PyTorch's do, typed as the caller's module:
/// <c>var model = new Net().To(DType.Float64).Eval();</c> is still a <c>Net</c>.
/// </summary>
public static class ModuleExtensions
{
    /// <summary>Sets training mode (or evaluation mode with <paramref name="mode"/> false) on the module and every module below it; returns the module.</summary>
    public static T Train<T>(this T module, bool mode = true) where T : ModuleBase
    {
        ArgumentNullException.ThrowIfNull(module);
        module.SetTraining(mode);
        return module;
    }

    /// <summary>Sets evaluation mode (<c>Train(false)</c>): dropout off, batch normalisation on running statistics; returns the module.</summary>
    public static T Eval<T>(this T module) where T : ModuleBase => module.Train(false);

    /// <summary>
    /// Sets <see cref="Tensor.RequiresGrad"/> on every parameter of the module (each tensor once, tied ones included), as
    /// PyTorch's <c>requires_grad_</c>: <c>backbone.RequiresGrad(false)</c> freezes it for fine-tuning. Returns the module.
    /// </summary>
    /// <remarks>A frozen parameter gets no gradient, so optimizers skip it; it stays in <c>Parameters()</c> and the state dict.</remarks>
    public static T RequiresGrad<T>(this T module, bool requiresGrad = true) where T : ModuleBase
    {
        ArgumentNullException.ThrowIfNull(module);
        module.SetRequiresGrad(requiresGrad);
        return module;
    }

    /// <summary>
    /// Converts every floating-point parameter and buffer (and its gradient) to <paramref name="dtype"/> in place, as
    /// PyTorch's <c>module.to(dtype)</c>; integer buffers (such as <c>num_batches_tracked</c>) keep their dtype. Returns the module.
    /// </summary>
    /// <remarks>
    /// The tensors stay the same objects with new elements, so an optimizer built before still updates them. Its
    /// per-parameter state (momentum, Adam's moments) keeps the dtype it was created in, so convert before the first step;
    /// and convert between steps, not while a graph that used the parameters is alive (its backward then fails with a
    /// clear error, as after any in-place change).
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not a floating-point dtype.</exception>
    public static T To<T>(this T module, DType dtype) where T : ModuleBase
    {
        ArgumentNullException.ThrowIfNull(module);
        module.ConvertTo(dtype);
        return module;
    }

    /// <summary>Calls <paramref name="action"/> on every module below this one and then on this one (as PyTorch's <c>apply</c>); returns the module.</summary>
    public static T Apply<T>(this T module, Action<ModuleBase> action) where T : ModuleBase
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(action);
        module.ApplyCore(action);
        return module;
    }

    /// <summary>
    /// Replaces, in the module and every module below it, each pair of modules that has a fused op (a <see cref="Linear"/>
    /// or <see cref="Conv2d"/> followed by a <see cref="Relu"/> in a <see cref="Sequential"/>) by the fused module, which
    /// computes the same values and gradients as one op with one graph node; returns the module.
    /// </summary>
    /// <remarks>
    /// Works below modules of every form. Parameters, their names and the state_dict stay the same (the fused module takes
    /// the first module's tensors; the second is replaced by an <see cref="Identity"/>), so a model fused for training saves
    /// and loads as before. Modules with hooks are left alone. Which modules were fused shows in <c>ToString</c> and
    /// <c>Summary</c>. See Note [Fusion].
    /// </remarks>
    public static T Fuse<T>(this T module) where T : ModuleBase
    {
        ArgumentNullException.ThrowIfNull(module);
        module.FuseCore();
        return module;
    }
}
