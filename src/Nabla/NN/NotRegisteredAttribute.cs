namespace Nabla.NN;

/// <summary>
/// Marks a field or property of a module that holds a module or a tensor this module uses but does not own, so that the
/// registration check leaves it alone (see <see cref="ModuleBase"/>, Note [Module registration]).
/// </summary>
/// <remarks>
/// Without it, a module or trainable tensor held in a field must be registered (in this module or below it), or the
/// module's first use throws. Use it for a reference to a module registered elsewhere, such as a back-reference to a
/// shared embedding owned by the parent, whose parameters the parent already trains and saves.
/// </remarks>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, Inherited = true)]
public sealed class NotRegisteredAttribute : Attribute;
