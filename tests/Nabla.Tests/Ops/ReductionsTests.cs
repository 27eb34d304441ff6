using static Nabla.Tests.ErrorAssert;

namespace Nabla.Tests.Ops;

/// <summary>Reductions (Ops/Reductions.cs): errors for dims out of range and empty reductions.</summary>
public class ReductionsTests
{
    [Fact]
    public void Sum_DimOutOfRange_NamesDimAndRank()
        => AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([2, 3]).Sum(2)), "sum", "dimension 2", "rank 2");

    [Fact]
    public void Max_OverEmptyDim_Throws()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Zeros([0, 3]).Max(0)), "max", "empty");
}
