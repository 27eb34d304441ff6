using Nabla.NN;
using static Nabla.Tests.FunctionalGradCheck;

namespace Nabla.Tests.NN;

/// <summary>The loss and similarity modules of issue 15 (NN/KLDivLoss.cs, ...): each forwards its options to its function.</summary>
public class LossModulesTests
{
    private static void AssertSame(Tensor expected, Tensor actual) => AssertAll(expected.ToDoubleArray(), actual, rtol: 0, atol: 0);

    [Fact]
    public void KLDivLoss_BatchMeanAndLogTarget_ForwardToFunction()
    {
        Tensor x = Randn(1, 3, 4), t = Randn(2, 3, 4);
        AssertSame(Functional.KLDiv(x, t, Reduction.BatchMean, logTarget: true), new KLDivLoss { Reduction = Reduction.BatchMean, LogTarget = true }.Forward(x, t));
    }

    [Fact]
    public void PoissonNllLoss_Options_ForwardToFunction()
    {
        Tensor x = Tensor.Rand([5], DType.Float64, new Generator(3)) + 0.5, t = Tensor.From([0.0, 1, 2, 3, 4], dtype: DType.Float64);
        AssertSame(Functional.PoissonNllLoss(x, t, logInput: false, full: true, eps: 1e-3, Reduction.Sum),
            new PoissonNllLoss { LogInput = false, Full = true, Eps = 1e-3, Reduction = Reduction.Sum }.Forward(x, t));
    }

    [Fact]
    public void GaussianNllLoss_Options_ForwardToFunction()
    {
        Tensor x = Randn(4, 2, 3), t = Randn(5, 2, 3), v = Tensor.Rand([2, 1], DType.Float64, new Generator(6));
        AssertSame(Functional.GaussianNllLoss(x, t, v, full: true, eps: 0.2, Reduction.None),
            new GaussianNllLoss { Full = true, Eps = 0.2, Reduction = Reduction.None }.Forward(x, t, v));
    }

    [Fact]
    public void MarginLosses_Options_ForwardToFunctions()
    {
        Tensor a = Randn(7, 3, 4), b = Randn(8, 3, 4), c = Randn(9, 3, 4), y = Tensor.From([1.0, -1, 1], dtype: DType.Float64);
        AssertSame(Functional.CosineEmbeddingLoss(a, b, y, 0.2, Reduction.Sum), new CosineEmbeddingLoss { Margin = 0.2, Reduction = Reduction.Sum }.Forward(a, b, y));
        AssertSame(Functional.MarginRankingLoss(a, b, c.Sign(), 0.3), new MarginRankingLoss { Margin = 0.3 }.Forward(a, b, c.Sign()));
        AssertSame(Functional.TripletMarginLoss(a, b, c, 0.7, 3, 1e-3, swap: true, Reduction.None),
            new TripletMarginLoss { Margin = 0.7, P = 3, Eps = 1e-3, Swap = true, Reduction = Reduction.None }.Forward(a, b, c));
    }

    [Fact]
    public void CosineSimilarityAndPairwiseDistance_Modules_ForwardToFunctionsAndPrintLikePyTorch()
    {
        Tensor a = Randn(10, 3, 4), b = Randn(11, 3, 4);
        var cos = new CosineSimilarity(dim: 0, eps: 1e-3);
        var dist = new PairwiseDistance(p: 1, eps: 0, keepDim: true);
        AssertSame(Functional.CosineSimilarity(a, b, 0, 1e-3), cos.Forward(a, b));
        AssertSame(Functional.PairwiseDistance(a, b, 1, 0, keepDim: true), dist.Forward(a, b));
        Assert.Equal("CosineSimilarity()", cos.ToString());
        Assert.Equal("PairwiseDistance()", dist.ToString());
    }

    [Fact]
    public void Losses_AreModules_WithHooksPrintingAndWeightBuffers()
    {
        Tensor w = Tensor.From([1.0, 2.0, 0.5], dtype: DType.Float64);
        var ce = new CrossEntropyLoss { Weight = w };
        Assert.Equal("CrossEntropyLoss()", ce.ToString());
        Assert.Same(w, ce.StateDict()["weight"]);
        Assert.Empty(new MseLoss().StateDict());
        Assert.Equal(["pos_weight", "weight"], new BceWithLogitsLoss { Weight = w, PosWeight = w }.StateDict().Keys.Order());

        Tensor seen = null!;
        using (ce.RegisterForwardHook((_, input, target, result) => seen = result))
        {
            Tensor loss = ce.Forward(Randn(1, 4, 3), Tensor.From([0L, 2L, 1L, 1L]));
            Assert.Same(loss, seen);
        }

        var triplet = new TripletMarginLoss { Margin = 2 };
        ModuleBase asModule = triplet;
        Assert.Equal("TripletMarginLoss()", asModule.ToString());
        Tensor a = Randn(2, 3, 4), p = Randn(3, 3, 4), n = Randn(4, 3, 4);
        AssertSame(Functional.TripletMarginLoss(a, p, n, margin: 2), triplet.Forward(a, p, n));
    }
}
