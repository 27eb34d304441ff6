namespace Nabla.Diagnostics;

/// <summary>What a node of a <see cref="ComputationGraph"/> stands for.</summary>
public enum GraphNodeKind
{
    /// <summary>A recorded operation (its backward node, such as <c>MulBackward</c>).</summary>
    Op,

    /// <summary>A leaf that requires a gradient and is not a known parameter (an input of the function).</summary>
    Input,

    /// <summary>A leaf known as a model parameter (named by its state_dict name).</summary>
    Parameter,
}
