namespace Nabla.Optim;

/// <summary>The line search <see cref="Lbfgs"/> runs along each direction (PyTorch's <c>line_search_fn</c>).</summary>
public enum LineSearch
{
    /// <summary>No line search: a fixed step of <c>lr</c> (PyTorch's <c>None</c>).</summary>
    None = 0,

    /// <summary>A line search satisfying the strong Wolfe conditions (PyTorch's <c>"strong_wolfe"</c>).</summary>
    StrongWolfe = 1,
}
