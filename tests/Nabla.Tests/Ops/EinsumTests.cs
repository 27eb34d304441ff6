using static Nabla.Tests.ErrorAssert;
using static Nabla.Tests.FunctionalGradCheck;

namespace Nabla.Tests.Ops;

/// <summary>Einsum (Ops/Einsum.cs): equations against the products they spell, parsing errors with positions, size errors.</summary>
public class EinsumTests
{
    private static Tensor M(double[] values, params int[] shape) => Tensor.From(values, shape, dtype: DType.Float64);

    [Fact]
    public void Einsum_MatMulEquation_EqualsMatMul()
    {
        Tensor a = Randn(1, 3, 4), b = Randn(2, 4, 5);
        AssertAll(a.MatMul(b).ToDoubleArray(), Tensor.Einsum("ij,jk->ik", a, b), rtol: 1e-14, atol: 1e-14);
    }

    [Fact]
    public void Einsum_AttentionScores_EqualKeyTransposedProduct()
    {
        Tensor q = Randn(3, 2, 2, 3, 4), k = Randn(4, 2, 2, 5, 4);
        Tensor scores = Tensor.Einsum("bhqd,bhkd->bhqk", q, k);
        Assert.Equal([2, 2, 3, 5], scores.Shape.ToArray());
        AssertAll(q.MatMul(k.MT).ToDoubleArray(), scores, rtol: 1e-14, atol: 1e-14);
    }

    [Fact]
    public void Einsum_OutputOrder_PermutesTheResult()
    {
        Tensor a = Randn(5, 2, 3), b = Randn(6, 3, 4);
        AssertAll(a.MatMul(b).MT.ToDoubleArray(), Tensor.Einsum("ij,jk->ki", a, b), rtol: 1e-14, atol: 1e-14);
    }

    [Fact]
    public void Einsum_Trace_SumsTheDiagonal()
    {
        Tensor a = M([1, 2, 3, 4], 2, 2);
        AssertAll([5], Tensor.Einsum("ii->", a));
        AssertAll([1, 4], Tensor.Einsum("ii->i", a));
    }

    [Fact]
    public void Einsum_ImplicitOutput_IsTheLettersThatOccurOnceInOrder()
    {
        Tensor a = M([1, 2, 3, 4, 5, 6], 2, 3);
        Tensor t = Tensor.Einsum("ba", a);
        Assert.Equal([3, 2], t.Shape.ToArray());
        AssertAll([1, 4, 2, 5, 3, 6], t);
    }

    [Fact]
    public void Einsum_LetterInOneOperandOnly_IsSummedAway()
    {
        Tensor a = M([1, 2, 3, 4], 2, 2), b = M([1, 10, 100], 3);
        // out[i] = (Σ_j a[i, j]) · (Σ_k b[k])
        AssertAll([3 * 111, 7 * 111], Tensor.Einsum("ij,k->i", a, b));
    }

    [Fact]
    public void Einsum_ThreeOperands_EqualChainedProducts()
    {
        Tensor a = Randn(7, 2, 3), b = Randn(8, 3, 4), c = Randn(9, 4, 5);
        AssertAll(a.MatMul(b).MatMul(c).ToDoubleArray(), Tensor.Einsum("ij,jk,kl->il", a, b, c), rtol: 1e-13, atol: 1e-13);
    }

    [Fact]
    public void Einsum_BilinearForm_MatchesSumOfProducts()
    {
        Tensor x = Randn(10, 2, 3), w = Randn(11, 3, 4), y = Randn(12, 2, 4);
        Tensor expected = (x.MatMul(w) * y).Sum(1);
        AssertAll(expected.ToDoubleArray(), Tensor.Einsum("bi,ij,bj->b", x, w, y), rtol: 1e-13, atol: 1e-13);
    }

    [Fact]
    public void Einsum_EmptyContraction_GivesZeros()
    {
        Tensor a = Tensor.Zeros([2, 0], DType.Float64), b = Tensor.Zeros([0, 3], DType.Float64);
        Tensor y = Tensor.Einsum("ij,jk->ik", a, b);
        Assert.Equal([2, 3], y.Shape.ToArray());
        AssertAll(new double[6], y);
    }

    [Fact]
    public void Einsum_SecondDerivative_MatchesFiniteDifference()
        => AssertHessianVectorProduct(x => (Tensor.Einsum("ij,jk->ik", x[0], x[1]).Tanh()).Sum(), Param(13, 2, 3), Param(14, 3, 2));

    [Theory]
    [InlineData("ij,j*->i", 4, "expected a letter, ',' or '->'")]
    [InlineData("ij-k", 2, "expected a letter, ',' or '->'")]
    [InlineData("ij->i,j", 5, "after '->' only letters follow")]
    [InlineData("...ij->ij", 0, "ellipsis")]
    [InlineData("ij->ii", 5, "appears twice")]
    [InlineData("ij->k", 4, "does not appear in any operand")]
    public void Einsum_MalformedEquation_ErrorNamesPositionAndExpectation(string equation, int position, string expected)
    {
        Tensor a = Randn(15, 2, 3);
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Einsum(equation, a, a));
        AssertMessage(ex, "einsum", $"position {position}", expected, equation);
    }

    [Fact]
    public void Einsum_LetterWithTwoSizes_ErrorNamesBoth()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Einsum("ij,jk->ik", Randn(16, 2, 3), Randn(17, 4, 5)));
        AssertMessage(ex, "einsum", "'j'", "size 3 in operand 0 (dim 1)", "size 4 in operand 1 (dim 0)");
    }

    [Fact]
    public void Einsum_RepeatedLetterOverUnequalDims_ErrorNamesBoth()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Einsum("ii->i", Randn(18, 2, 3)));
        AssertMessage(ex, "einsum", "'i'", "size 2 in operand 0 (dim 0)", "size 3 in operand 0 (dim 1)");
    }

    [Fact]
    public void Einsum_WrongOperandCount_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Einsum("ij,jk->ik", Randn(19, 2, 3)));
        AssertMessage(ex, "einsum", "2 operand subscript list(s)", "1 operand(s)");
    }

    [Fact]
    public void Einsum_SubscriptsOfWrongLength_ErrorNamesShape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Einsum("ijk->i", Randn(20, 2, 3)));
        AssertMessage(ex, "einsum", "operand 0", "[2, 3]", "\"ijk\"");
    }

    [Fact]
    public void Einsum_MixedDTypes_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Einsum("ij,jk->ik", Randn(21, 2, 3), Randn(22, 3, 2).To(DType.Float32)));
        AssertMessage(ex, "einsum", "float32", "float64");
    }
}
