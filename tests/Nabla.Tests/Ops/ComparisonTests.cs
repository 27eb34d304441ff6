
namespace Nabla.Tests.Ops;

/// <summary>==, !=, &lt;, &gt;, &lt;=, &gt;= are elementwise; Equals and GetHashCode keep reference identity (Note [Tensor equality]).</summary>
public class ComparisonTests
{
    private static void AssertBools(bool[] expected, Tensor actual)
    {
        Assert.Equal(DType.Bool, actual.DType);
        Assert.Equal(expected, actual.ToArray<bool>());
    }

    [Fact]
    public void EqualityOperator_ArgMaxAgainstLabels_IsTheAccuracyMask()
    {
        Tensor pred = Tensor.From(new float[,] { { 0.1f, 0.9f }, { 0.8f, 0.2f }, { 0.3f, 0.7f } });
        Tensor y = Tensor.From([1L, 0L, 0L]);
        Tensor correct = pred.ArgMax(1) == y;
        AssertBools([true, true, false], correct);
        Assert.Equal(2.0 / 3.0, correct.To(DType.Float32).Mean().Item(), 6);
    }

    [Fact]
    public void Operators_TwoTensors_CompareElementwiseWithBroadcasting()
    {
        Tensor a = Tensor.From([1.0, 2.0, 3.0], dtype: DType.Float64), b = Tensor.From([2.0], dtype: DType.Float64);
        AssertBools([false, true, false], a == b);
        AssertBools([true, false, true], a != b);
        AssertBools([true, false, false], a < b);
        AssertBools([false, false, true], a > b);
        AssertBools([true, true, false], a <= b);
        AssertBools([false, true, true], a >= b);
    }

    [Fact]
    public void Operators_TensorAndDouble_CompareElementwiseOnEitherSide()
    {
        Tensor a = Tensor.From([1f, 2f, 3f]);
        AssertBools([false, true, false], a == 2.0);
        AssertBools([true, false, true], a != 2.0);
        AssertBools([true, false, false], a < 2.0);
        AssertBools([false, false, true], a > 2.0);
        AssertBools([true, true, false], a <= 2.0);
        AssertBools([false, true, true], a >= 2.0);
        AssertBools([false, true, false], 2.0 == a);
        AssertBools([true, false, true], 2.0 != a);
        AssertBools([false, false, true], 2.0 < a);
        AssertBools([true, false, false], 2.0 > a);
        AssertBools([false, true, true], 2.0 <= a);
        AssertBools([true, true, false], 2.0 >= a);
    }

    [Fact]
    public void Operators_Int64TensorAndIntLiteral_CompareElementwiseOnEitherSide()
    {
        Tensor a = Tensor.Arange(3);
        AssertBools([false, true, false], a == 1);
        AssertBools([true, false, true], a != 1);
        AssertBools([true, false, false], a < 1);
        AssertBools([false, false, true], a > 1);
        AssertBools([true, true, false], a <= 1);
        AssertBools([false, true, true], a >= 1);
        AssertBools([false, true, false], 1 == a);
        AssertBools([true, false, true], 1 != a);
        AssertBools([false, false, true], 1 < a);
        AssertBools([true, false, false], 1 > a);
        AssertBools([false, true, true], 1 <= a);
        AssertBools([true, true, false], 1 >= a);
    }

    [Fact]
    public void Equals_TensorsWithEqualElements_IsReferenceIdentity()
    {
        Tensor a = Tensor.From([1f, 2f]), b = Tensor.From([1f, 2f]);
        Assert.False(a.Equals(b));
        Assert.True(a.Equals(a));
        Assert.False(ReferenceEquals(a, b));
        Assert.Equal(a.GetHashCode(), a.GetHashCode());
        Assert.NotEqual(a, b); // xunit's Assert.Equal on tensors is identity
    }

    [Fact]
    public void Collections_OfTensors_KeepReferenceSemantics()
    {
        Tensor a = Tensor.From([1f, 2f]), b = Tensor.From([1f, 2f]);
        var set = new HashSet<Tensor> { a, b };
        Assert.Equal(2, set.Count);
        var list = new List<Tensor> { a };
        Assert.Contains(a, list);
        Assert.DoesNotContain(b, list);
        Assert.Equal(-1, list.IndexOf(b));
        var map = new Dictionary<Tensor, string> { [a] = "a", [b] = "b" };
        Assert.Equal("b", map[b]);
    }

    [Fact]
    public void EqualityOperator_NullOperand_ThrowsSayingToUseIsNull()
    {
        Tensor a = Tensor.From([1f]);
        Tensor? none = null;
        Assert.Contains("is null", Assert.Throws<ArgumentNullException>(() => a == none!).Message);
        Assert.Contains("is not null", Assert.Throws<ArgumentNullException>(() => none! != a).Message);
        Assert.Contains("is null", Assert.Throws<ArgumentNullException>(() => none! < a).Message);
        Assert.Contains("is null", Assert.Throws<ArgumentNullException>(() => 1.0 >= none!).Message);
        Assert.True(none is null);
        Assert.True(a is not null);
    }

    [Fact]
    public void Comparisons_AndArgMax()
    {
        var t = Tensor.From([3.0, 1.0, 4.0, 1.0, 5.0, 9.0], [2, 3], dtype: DType.Float64);
        Assert.Equal([true, false, true, false, true, true], t.Gt(1.5).ToArray<bool>());
        Assert.Equal([2L, 2L], t.ArgMax(1).ToArray<long>());
        Assert.Equal([1L, 0L], t.ArgMin(1).ToArray<long>());
        Assert.Equal(5L, t.ArgMax().Item<long>());
        Assert.Equal([false, true, false, true, false, false], t.Eq(1.0).ToArray<bool>());
    }
}
