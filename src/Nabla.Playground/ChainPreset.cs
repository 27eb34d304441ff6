namespace Nabla.Playground;

/// <summary>A worked example of the chain-rule view that the page sets with one click.</summary>
/// <param name="Name">The button's text.</param>
/// <param name="Description">What the example is, for the button's tooltip.</param>
/// <param name="Expression">The expression, a key of <see cref="ChainRule.Expressions"/>.</param>
/// <param name="W">The weight.</param>
/// <param name="X">The input.</param>
/// <param name="Y">The target.</param>
public sealed record ChainPreset(string Name, string Description, string Expression, double W, double X, double Y);
