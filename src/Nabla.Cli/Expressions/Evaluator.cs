namespace Nabla.Cli.Expressions;

/// <summary>Evaluates a parsed expression with Nabla tensors in float64, recording the autograd graph.</summary>
public static class Evaluator
{
    /// <summary>
    /// Builds one float64 leaf (requiring a gradient) per variable and applies the engine's ops node by node.
    /// </summary>
    /// <remarks>
    /// Numbers become constant tensors that need no gradient. <c>a^b</c> uses <see cref="Tensor.Pow(double)"/>
    /// when <c>b</c> does not depend on any variable, and <see cref="Tensor.Pow(Tensor)"/> otherwise.
    /// Every intermediate that requires a gradient calls <see cref="Tensor.RetainGrad"/>, so that the
    /// gradient of each graph node is available after backward.
    /// </remarks>
    /// <exception cref="ArgumentException">A variable of the expression has no value.</exception>
    public static Evaluation Evaluate(ParsedExpression expression, IReadOnlyDictionary<string, double> values)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(values);
        var results = new Tensor[expression.Nodes.Count];
        var leaves = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var graph = new List<GraphEntry>();
        var ids = new Dictionary<Tensor, int>(ReferenceEqualityComparer.Instance);

        foreach (ExprNode node in expression.Nodes)
        {
            Tensor result = node switch
            {
                NumberNode n => Tensor.Scalar(n.Value, dtype: DType.Float64),
                VariableNode v => Leaf(v.Name),
                NegateNode n => results[n.Operand.Index].Neg(),
                BinaryNode b => Binary(b.Operator, results[b.Left.Index], results[b.Right.Index]),
                CallNode c => MathFunctions.Apply(c.Function, results[c.Argument.Index]),
                _ => throw new ArgumentException($"unsupported node {node.GetType().Name}", nameof(expression)),
            };
            results[node.Index] = result;
            if (result.RequiresGrad && !ids.ContainsKey(result))
            {
                if (!result.IsLeaf) result.RetainGrad();
                string op = node is VariableNode variable ? $"leaf {variable.Name}" : result.GradFn!.Name;
                var inputs = new GraphOperand[node.Children.Count];
                for (int i = 0; i < inputs.Length; i++)
                {
                    Tensor input = results[node.Children[i].Index];
                    inputs[i] = ids.TryGetValue(input, out int id) ? GraphOperand.Node(id) : GraphOperand.Const(input.Item());
                }
                ids[result] = graph.Count;
                graph.Add(new GraphEntry(graph.Count, op, result, inputs));
            }
        }
        return new Evaluation(results[^1], leaves, graph);

        Tensor Leaf(string name)
        {
            if (leaves.TryGetValue(name, out Tensor? leaf)) return leaf;
            if (!values.TryGetValue(name, out double value))
                throw new ArgumentException($"variable '{name}' has no value", nameof(values));
            return leaves[name] = Tensor.Scalar(value, requiresGrad: true, dtype: DType.Float64);
        }
    }

    private static Tensor Binary(BinaryOperator op, Tensor left, Tensor right) => op switch
    {
        BinaryOperator.Add => left + right,
        BinaryOperator.Subtract => left - right,
        BinaryOperator.Multiply => left * right,
        BinaryOperator.Divide => left / right,
        BinaryOperator.Power => right.RequiresGrad ? left.Pow(right) : left.Pow(right.Item()),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };
}
