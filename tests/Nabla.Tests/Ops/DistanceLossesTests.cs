using static Nabla.Tests.ErrorAssert;
using static Nabla.Tests.FunctionalGradCheck;

namespace Nabla.Tests.Ops;

/// <summary>Cosine similarity, pairwise distance and the margin losses (Ops/DistanceLosses.cs): closed forms, conventions, errors.</summary>
public class DistanceLossesTests
{
    private static Tensor Mat(double[] v, params int[] shape) => Tensor.From(v, shape, dtype: DType.Float64);

    private static Tensor Leaf(double[] v, params int[] shape) => Tensor.From(v, shape, requiresGrad: true, dtype: DType.Float64);

    [Fact]
    public void CosineSimilarity_ParallelOrthogonalOpposite_GiveOneZeroMinusOne()
    {
        Tensor a = Mat([1, 2, 1, 0, 3, 4], 3, 2), b = Mat([2, 4, 0, 5, -6, -8], 3, 2);
        AssertAll([1, 0, -1], Functional.CosineSimilarity(a, b), rtol: 1e-15, atol: 1e-15);
    }

    [Fact]
    public void CosineSimilarity_EpsActive_GradientTreatsTheClampAsIdentity()
    {
        // |x1| = sqrt(0.05) < eps = 0.5, so n1 = 0.5; d n1/d x1 = x1/n1 at that clamped value (PyTorch 1.13).
        Tensor x1 = Leaf([0.1, 0.2, 0], 1, 3), x2 = Mat([1, 2, 2], 1, 3);
        Tensor y = Functional.CosineSimilarity(x1, x2, eps: 0.5);
        y.Backward();
        double n1 = 0.5, n2 = 3, dot = 0.5;
        Assert.Equal(dot / (n1 * n2), y.Item(), 15);
        double[] x1v = [0.1, 0.2, 0], x2v = [1, 2, 2];
        double[] expected = x1v.Select((x, i) => x2v[i] / (n1 * n2) - dot / (n1 * n1 * n2) * (x / n1)).ToArray();
        AssertAll(expected, x1.Grad!, rtol: 1e-14, atol: 1e-15);
    }

    [Fact]
    public void CosineSimilarity_BroadcastAlongDim_TakesNormsAfterExpanding()
    {
        Tensor x1 = Randn(1, 1, 4), x2 = Randn(2, 3, 4);
        AssertAll(Functional.CosineSimilarity(x1.Expand(3, 4), x2, dim: 0).ToDoubleArray(), Functional.CosineSimilarity(x1, x2, dim: 0), rtol: 0, atol: 0);
    }

    [Fact]
    public void CosineSimilarity_BadArguments_Throw()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.CosineSimilarity(Randn(3, 2, 3), Randn(4, 2, 4))), "cosine_similarity", "[2, 3]", "[2, 4]");
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Functional.CosineSimilarity(Randn(5, 2, 3), Randn(6, 2, 3), dim: 2)), "cosine_similarity", "2");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.CosineSimilarity(Randn(7, 3), Randn(8, 3).Float())), "cosine_similarity", "float32");
    }

    [Fact]
    public void PairwiseDistance_EpsInsideTheNorm_MatchesFormula()
    {
        Tensor a = Mat([1, 2, 0, 0], 2, 2), b = Mat([4, 6, 1, 1], 2, 2);
        const double e = 1e-6;
        AssertAll([Math.Sqrt(Math.Pow(-3 + e, 2) + Math.Pow(-4 + e, 2)), Math.Sqrt(2 * Math.Pow(-1 + e, 2))], Functional.PairwiseDistance(a, b), rtol: 1e-15, atol: 0);
        AssertAll([Math.Pow(Math.Pow(3 - e, 3) + Math.Pow(4 - e, 3), 1 / 3.0)], Functional.PairwiseDistance(a.Narrow(0, 0, 1), b.Narrow(0, 0, 1), p: 3), rtol: 1e-14, atol: 0);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.0)]
    [InlineData(3.0)]
    public void PairwiseDistance_AtZeroDistance_HasZeroGradient(double p)
    {
        // x1 - x2 + eps is exactly 0 in every element.
        Tensor x1 = Leaf([0, 0], 1, 2);
        Tensor d = Functional.PairwiseDistance(x1, Mat([1e-6, 1e-6], 1, 2), p, eps: 1e-6);
        d.Sum().Backward();
        AssertAll([0], d, rtol: 0, atol: 0);
        AssertAll([0, 0], x1.Grad!, rtol: 0, atol: 0);
    }

    [Fact]
    public void CosineEmbeddingLoss_PositiveAndNegativePairs_MatchFormula()
    {
        Tensor a = Mat([1, 0, 1, 1, 1, 0], 3, 2), b = Mat([1, 1, 1, 0, -1, 0], 3, 2);
        double c1 = 1 / Math.Sqrt((1 + 1e-12) * (2 + 1e-12)), c2 = 1 / Math.Sqrt((2 + 1e-12) * (1 + 1e-12));
        Tensor loss = Functional.CosineEmbeddingLoss(a, b, Mat([1, -1, -1], 3), margin: 0.1, Reduction.None);
        AssertAll([1 - c1, c2 - 0.1, 0], loss, rtol: 1e-15, atol: 1e-16);
        Assert.Equal(loss.Sum().Item(), Functional.CosineEmbeddingLoss(a, b, Tensor.From([1L, -1, -1]), margin: 0.1, Reduction.Sum).Item(), 15);
    }

    [Fact]
    public void CosineEmbeddingLoss_BadTargets_Throw()
    {
        Tensor a = Randn(9, 3, 2);
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.CosineEmbeddingLoss(a, a, Mat([1, 0, -1], 3))), "cosine_embedding_loss", "1 (similar) or -1");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.CosineEmbeddingLoss(a, a, Mat([1, 1], 2))), "cosine_embedding_loss", "[2]", "[3, 2]");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.CosineEmbeddingLoss(a, Randn(10, 3, 3), Mat([1, 1, 1], 3))), "cosine_embedding_loss", "input2", "[3, 3]");
    }

    [Fact]
    public void MarginRankingLoss_MatchesHingeOnTheDifference()
    {
        Tensor loss = Functional.MarginRankingLoss(Mat([1, 2, 3], 3), Mat([2, 2, 0], 3), Mat([1, -1, -1], 3), margin: 0.5, Reduction.None);
        AssertAll([1.5, 0.5, 3.5], loss, rtol: 0, atol: 0);
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.MarginRankingLoss(Randn(11, 3), Randn(12, 3), Randn(13, 2))),
            "margin_ranking_loss", "target", "[2]", "[3]");
    }

    [Fact]
    public void TripletMarginLoss_Swap_TakesTheCloserNegative()
    {
        Tensor anchor = Mat([0, 0], 1, 2), positive = Mat([3, 0], 1, 2), negative = Mat([4, 0], 1, 2);
        const double e = 1e-6;
        double dPos = Math.Sqrt(Math.Pow(-3 + e, 2) + e * e), dAN = Math.Sqrt(Math.Pow(-4 + e, 2) + e * e), dPN = Math.Sqrt(Math.Pow(-1 + e, 2) + e * e);
        AssertAll([dPos - dAN + 2], Functional.TripletMarginLoss(anchor, positive, negative, margin: 2, reduction: Reduction.None), rtol: 1e-15, atol: 0);
        AssertAll([dPos - dPN + 2], Functional.TripletMarginLoss(anchor, positive, negative, margin: 2, swap: true, reduction: Reduction.None), rtol: 1e-15, atol: 0);
        AssertAll([0], Functional.TripletMarginLoss(anchor, positive, negative, margin: 0.5), rtol: 0, atol: 0);
    }

    [Fact]
    public void TripletMarginLoss_BadArguments_Throw()
    {
        Tensor a = Randn(14, 2, 3);
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.TripletMarginLoss(a, a, Randn(15, 2, 4))), "triplet_margin_loss", "negative", "[2, 4]");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.TripletMarginLoss(a, a, a, p: 0)), "triplet_margin_loss", "p must be positive");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.TripletMarginLoss(Randn(16, 2, 2, 2), Randn(17, 2, 2, 2), Randn(18, 2, 2, 2))),
            "triplet_margin_loss", "[2, 2, 2]");
    }
}
