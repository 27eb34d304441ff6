using Nabla.Diagnostics;
using static Nabla.Tests.ErrorAssert;

namespace Nabla.Tests.Ops;

/// <summary>
/// Composite ops as one node (Ops/Composite.cs, Note [Composite ops]): the same values and gradients as their primitives,
/// derivatives of every order through the node, retained graphs, hooks, the version check and graph export.
/// </summary>
public class CompositeTests
{
    private static Tensor Leaf(params double[] v) => Tensor.From(v, requiresGrad: true, dtype: DType.Float64);

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Fact]
    public void Mean_IsOneNodeWithThePrimitivesValuesAndGradient()
    {
        Tensor x = Leaf(1, 2, 4), x2 = Leaf(1, 2, 4);
        Tensor mean = x.Mean();
        Tensor manual = x2.Sum() / 3L;
        Assert.Equal("MeanBackward", mean.GradFn!.Name);
        Assert.Equal(manual.Item(), mean.Item());
        (mean * 3.0).Backward();
        (manual * 3.0).Backward();
        Assert.Equal(x2.Grad!.ToDoubleArray(), x.Grad!.ToDoubleArray());
        Assert.Single(mean.GradFn.NextFunctions());
    }

    [Fact]
    public void Softplus_SecondAndThirdDerivatives_FlowThroughTheNode()
    {
        double[] at = [-1.5, 0.3, 2];
        Tensor x = Leaf(at);
        Tensor y = Functional.Softplus(x).Sum();
        Assert.Equal("SumBackward", y.GradFn!.Name);
        Tensor d1 = Autograd.Grad([y], [x], createGraph: true)[0]!;
        Tensor d2 = Autograd.Grad([d1.Sum()], [x], createGraph: true)[0]!;
        Tensor d3 = Autograd.Grad([d2.Sum()], [x])[0]!;
        for (int i = 0; i < at.Length; i++)
        {
            double s = Sigmoid(at[i]);
            Assert.Equal(s, d1.ToDoubleArray()[i], 14);
            Assert.Equal(s * (1 - s), d2.ToDoubleArray()[i], 14);
            Assert.Equal(s * (1 - s) * (1 - 2 * s), d3.ToDoubleArray()[i], 14);
        }
    }

    [Fact]
    public void MseLoss_HessianVectorProduct_ReachesBothInputs()
    {
        Tensor x = Leaf(1, 2), t = Leaf(0.5, -1);
        Tensor loss = Functional.MseLoss(x, t);
        Assert.Equal("MseLossBackward", loss.GradFn!.Name);
        Tensor[] g = [.. Autograd.Grad([loss], [x, t], createGraph: true).Select(v => v!)];
        Assert.Equal([0.5, 3], g[0].ToDoubleArray());
        Assert.Equal([-0.5, -3], g[1].ToDoubleArray());
        Tensor v = Tensor.From([1.0, 10], dtype: DType.Float64);
        Tensor?[] hv = Autograd.Grad([(g[0] * v).Sum()], [x, t]);
        Assert.Equal([1.0, 10], hv[0]!.ToDoubleArray());
        Assert.Equal([-1.0, -10], hv[1]!.ToDoubleArray());
    }

    [Fact]
    public void Composite_InputUsedTwice_GetsBothContributions()
    {
        Tensor x = Leaf(3, -1);
        Functional.MseLoss(x, x * 2.0, Reduction.Sum).Backward();
        Assert.Equal([6.0, -2], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Composite_RetainGraph_BackpropagatesTwiceAndOtherwiseNamesTheFreedNode()
    {
        Tensor x = Leaf(1, 2);
        Tensor loss = Functional.HuberLoss(x, Tensor.Zeros([2], DType.Float64));
        loss.Backward(retainGraph: true);
        loss.Backward();
        Assert.Equal([1.0, 1], x.Grad!.ToDoubleArray()); // twice the linear branch's 1/2 (mean of two)
        AssertMessage(Assert.Throws<InvalidOperationException>(() => loss.Backward()), "HuberLossBackward", "second time");
    }

    [Fact]
    public void Composite_InputChangedInPlaceBeforeBackward_IsReported()
    {
        Tensor x = Leaf(1, 2);
        Tensor h = x * 1.0;
        Tensor y = h.LogSumExp(0);
        using (Autograd.NoGrad()) h.Add_(1.0);
        AssertMessage(Assert.Throws<InvalidOperationException>(() => y.Backward()), "LogsumexpBackward", "in-place");
    }

    [Fact]
    public void Composite_HookAndRetainGrad_OnTheResultSeeItsGradient()
    {
        Tensor x = Leaf(1, 2, 3);
        Tensor v = x.Var();
        Tensor? seen = null;
        v.RegisterHook(g => { seen = g; });
        v.RetainGrad();
        (v * 4.0).Backward();
        Assert.Equal(4.0, seen!.Item());
        Assert.Equal(4.0, v.Grad!.Item());
        Assert.Equal([-4.0, 0, 4], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Composite_GraphExport_ShowsOneNodeForTheOp()
    {
        Tensor x = Leaf(1, -2, 3);
        Tensor loss = Functional.BinaryCrossEntropyWithLogits(x, Tensor.From([1.0, 0, 1], dtype: DType.Float64));
        ComputationGraph graph = ComputationGraph.From(loss);
        Assert.Contains(graph.Nodes, n => n.Label == "BinaryCrossEntropyWithLogitsBackward");
        Assert.DoesNotContain(graph.Nodes, n => n.Label is "SoftplusBackward" or "WhereBackward" or "MeanBackward");
    }

    [Fact]
    public void Composite_WithoutGradients_RecordsNothing()
    {
        Tensor x = Tensor.From([1.0, 2], dtype: DType.Float64);
        Assert.Null(Functional.MseLoss(x, x * 2.0).GradFn);
        using (Autograd.NoGrad()) Assert.Null(Leaf(1, 2).Mean().GradFn);
    }
}
