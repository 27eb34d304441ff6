using Nabla.Graph;

namespace Nabla.Tests.Graph;

/// <summary>Graph nodes (Node.cs): names after the op, inputs recorded as edges, custom nodes.</summary>
public class NodeTests
{
    [Fact]
    public void GradFn_IsNamedAfterTheOp()
    {
        var x = Tensor.Scalar(2.0, requiresGrad: true, dtype: DType.Float64);
        Assert.Equal("MulBackward", (x * x).GradFn!.Name);
        Assert.Equal("ExpBackward", x.Exp().GradFn!.Name);
        Assert.True(x.IsLeaf);
        Assert.False((x * x).IsLeaf);
    }

    [Fact]
    public void CustomNode_WithParamsArray_StillRecordsEveryInput()
    {
        var a = Tensor.Scalar(2.0, requiresGrad: true, dtype: DType.Float64);
        var b = Tensor.Scalar(5.0, requiresGrad: true, dtype: DType.Float64);
        var c = Tensor.Scalar(7.0, dtype: DType.Float64);
        Tensor y;
        using (Autograd.NoGrad()) y = a * b + c;
        y = Autograd.Record(y, new ThreeInputs(a, b, c));
        y.Backward();
        Assert.Equal(5.0, a.Grad!.Item());
        Assert.Equal(2.0, b.Grad!.Item());
        Assert.Equal(3, y.GradFn!.NextFunctions().Count);
        Assert.Null(c.Grad);
    }

    [Fact]
    public void InlineEdges_MixedDTypesAndArities_ReportInputsAndGradients()
    {
        // Nodes of one and two inputs keep their edges inline, three or more in an array; the edge's dtype comes
        // from its target (a leaf, or the node that produced the input).
        var a = Tensor.Scalar(2.0f, requiresGrad: true);
        var b = Tensor.From([1.0, 2.0, 3.0], [3], requiresGrad: true, dtype: DType.Float64);
        Tensor s = a.Relu();                                        // one input
        Tensor p = (s.To(DType.Float64) * b);                       // two inputs, one from a node
        Tensor c = Tensor.Cat([p, b, p * 2.0], 0);                  // three inputs: the array
        Assert.Single(s.GradFn!.NextFunctions());
        Assert.Equal(2, p.GradFn!.NextFunctions().Count);
        Assert.Equal(3, c.GradFn!.NextFunctions().Count);
        Assert.Equal(new Shape?[] { new Shape(3), new Shape(3), new Shape(3) }, c.GradFn.InputShapes());
        c.Sum().Backward();
        Assert.Equal(DType.Float32, a.Grad!.DType);
        Assert.Equal(3 * 6.0, a.Grad.Item(), 1e-6);                 // d/da Σ(3·a·b) = 3·Σb
        Assert.Equal([3 * 2.0 + 1, 3 * 2.0 + 1, 3 * 2.0 + 1], b.Grad!.ToArray<double>());
    }

    private sealed class ThreeInputs : Node
    {
        private readonly Tensor _a, _b;

        public ThreeInputs(Tensor a, Tensor b, Tensor c) : base("ThreeInputsBackward", new[] { a, b, c }) => (_a, _b) = (a, b);

        public override Tensor?[] Backward(Tensor grad) => [grad * _b, grad * _a, null];
    }
}
