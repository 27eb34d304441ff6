namespace Nabla.Tests.Ops;

/// <summary>Errors of the indexers and the class-index losses name the op, what they got and what to do.</summary>
public class ActionableErrorTests
{
    private static void AssertMessage(Exception ex, params string[] parts)
    {
        foreach (string p in parts) Assert.Contains(p, ex.Message);
    }

    [Fact]
    public void RangeIndexer_EndBeyondSize_NamesOpRangeDimAndSize()
        => AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([3, 2])[1..5]),
            "index", "1..5", "dimension 0", "size 3", "[3, 2]");

    [Fact]
    public void RangeIndexer_StartAfterEnd_NamesOpRangeDimAndSize()
        => AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([4])[3..1]), "index", "3..1", "dimension 0", "size 4");

    [Fact]
    public void RangeIndexer_InRange_StillSlices()
        => Assert.Equal([1f, 2f], Tensor.From([0f, 1f, 2f, 3f])[1..^1].ToArray<float>());

    [Fact]
    public void IntIndexer_SecondIndexOutOfRange_NamesTheUsersDimAndItsSize()
        => AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([2, 3])[1, 5]),
            "index", "[1, 5]", "index 5", "dimension 1", "size 3", "[2, 3]");

    [Fact]
    public void CrossEntropy_Float32ClassLabels_SaysTheDTypeIsWrongAndHowToConvert()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.CrossEntropy(Tensor.Zeros([4, 3]), Tensor.From([0f, 1f, 2f, 0f])));
        AssertMessage(ex, "cross_entropy", "float32", "int64", "To(DType.Int64)");
        Assert.DoesNotContain("target has shape", ex.Message);
    }

    [Fact]
    public void NllLoss_Float32ClassLabels_SaysHowToConvert()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Functional.NllLoss(Tensor.Zeros([4, 3]), Tensor.From([0f, 1f, 2f, 0f]))),
            "nll_loss", "float32", "int64", "To(DType.Int64)");
}
