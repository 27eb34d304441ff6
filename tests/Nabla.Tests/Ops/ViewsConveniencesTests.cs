using static Nabla.Tests.ErrorAssert;

namespace Nabla.Tests.Ops;

/// <summary>The transposes and view helpers ported code uses (Ops/Views.cs): T(), MT, ViewAs and Select's own node.</summary>
public class ViewsConveniencesTests
{
    [Fact]
    public void T_TransposesAMatrixAndLeavesVectorsAndScalars()
    {
        Tensor m = Tensor.From([1f, 2, 3, 4, 5, 6], [2, 3]);
        Tensor t = m.T();
        Assert.Equal([3, 2], t.Shape.ToArray());
        Assert.Equal([1f, 4, 2, 5, 3, 6], t.Contiguous().ToArray<float>());
        Assert.True(t.SharesStorage(m));
        Assert.Equal([1f, 2f], Tensor.From([1f, 2f]).T().ToArray<float>());
        Assert.Equal(0, Tensor.Scalar(1f).T().Rank);
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 3, 4]).T()), "t:", "[2, 3, 4]", "MT");
    }

    [Fact]
    public void MT_SwapsTheLastTwoDimsOfABatch()
    {
        Tensor b = Tensor.Arange(0, 12, 1, DType.Float32).Reshape(2, 2, 3);
        Tensor t = b.MT;
        Assert.Equal([2, 3, 2], t.Shape.ToArray());
        Assert.Equal(b[1].Contiguous().ToArray<float>()[1], t[1].Contiguous().ToArray<float>()[2]);
        AssertMessage(Assert.Throws<InvalidOperationException>(() => Tensor.Zeros([3]).MT), "mT", "[3]");
    }

    [Fact]
    public void ViewAs_TakesTheOtherShapeAndSharesStorage()
    {
        Tensor x = Tensor.Arange(0, 6, 1, DType.Float32);
        Tensor v = x.ViewAs(Tensor.Zeros([2, 3], DType.Int64));
        Assert.Equal([2, 3], v.Shape.ToArray());
        Assert.True(v.SharesStorage(x));
        AssertMessage(Assert.Throws<ArgumentException>(() => x.ViewAs(Tensor.Zeros([4]))), "[4]");
    }

    [Fact]
    public void Select_IsAViewWithItsOwnNode()
    {
        Tensor x = Tensor.From([1.0, 2, 3, 4, 5, 6], [2, 3], requiresGrad: true, dtype: DType.Float64);
        Tensor s = x.Select(1, -1);
        Assert.Equal([3.0, 6], s.ToDoubleArray());
        Assert.Equal("SelectBackward", s.GradFn!.Name);
        Assert.True(s.SharesStorage(x));
        (s * Tensor.From([10.0, 20], dtype: DType.Float64)).Sum().Backward();
        Assert.Equal([0.0, 0, 10, 0, 0, 20], x.Grad!.ToDoubleArray());
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Scalar(1f).Select(0, 0)), "select", "0-d");
    }
}
