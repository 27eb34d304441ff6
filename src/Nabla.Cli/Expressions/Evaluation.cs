namespace Nabla.Cli.Expressions;

/// <summary>The tensors an expression evaluated to: the output, one leaf per variable, and the graph between them.</summary>
public sealed class Evaluation
{
    internal Evaluation(Tensor output, IReadOnlyDictionary<string, Tensor> leaves, IReadOnlyList<GraphEntry> graph)
    {
        Output = output;
        Leaves = leaves;
        Graph = graph;
    }

    /// <summary>The value of the whole expression, a float64 scalar.</summary>
    public Tensor Output { get; }

    /// <summary>The leaf tensor of each variable, keyed by name.</summary>
    public IReadOnlyDictionary<string, Tensor> Leaves { get; }

    /// <summary>
    /// Every tensor that requires a gradient, inputs before the ops that read them and the output last
    /// (empty when the expression reads no variable). Each retains its gradient on backward.
    /// </summary>
    public IReadOnlyList<GraphEntry> Graph { get; }

    /// <summary>Runs backward from the output, filling the gradient of every leaf and graph node; does nothing for a constant.</summary>
    public void Backward()
    {
        if (Output.RequiresGrad) Output.Backward();
    }
}
