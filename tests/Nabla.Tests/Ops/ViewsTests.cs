using static Nabla.Tests.ErrorAssert;

namespace Nabla.Tests.Ops;

/// <summary>Views and indexers (Ops/Views.cs): storage sharing, logical order of copies, and errors naming the op, the index and the size.</summary>
public class ViewsTests
{
    [Fact]
    public void Transpose_DimOutOfRange_Throws()
        => AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([2, 3]).Transpose(0, -3)), "transpose", "-3");

    [Fact]
    public void Select_IndexOutOfRange_NamesIndexAndSize()
        => AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([2, 3])[5]), "select", "index 5", "size 2");

    [Fact]
    public void Narrow_OutOfRange_Throws()
        => AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([4]).Narrow(0, 2, 5)), "narrow", "size 4");

    [Fact]
    public void Reshape_WrongElementCount_NamesShapes()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 3]).Reshape(4, 2)), "reshape", "[4, 2]", "[2, 3]");

    [Fact]
    public void Reshape_TwoInferredDims_Throws()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Zeros([6]).Reshape(-1, -1)), "reshape", "-1");

    [Fact]
    public void Permute_RepeatedDim_Throws()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 3]).Permute(0, 0)), "permute", "repeats");

    [Fact]
    public void Expand_NonSingletonDim_Throws()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 3]).Expand(4, 3)), "expand", "[2, 3]", "[4, 3]");

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
    public void Transpose_IsAViewSharingStorage()
    {
        var t = Tensor.From([1f, 2f, 3f, 4f, 5f, 6f], [2, 3]);
        Tensor tt = t.Transpose(0, 1);
        Assert.False(tt.IsContiguous);
        Assert.Equal([1f, 4f, 2f, 5f, 3f, 6f], tt.ToArray<float>());
        using (Autograd.NoGrad()) t.Fill(0);
        Assert.Equal(0f, tt[1, 1].Item<float>());
    }

    [Fact]
    public void Reshape_OfNonContiguous_CopiesInLogicalOrder()
    {
        var t = Tensor.From([1f, 2f, 3f, 4f, 5f, 6f], [2, 3]).Transpose(0, 1);
        Assert.Equal([1f, 4f, 2f, 5f, 3f, 6f], t.Reshape(6).ToArray<float>());
        Assert.Throws<InvalidOperationException>(() => t.View(6));
    }

    [Fact]
    public void Views_SliceNarrowSelectSqueezeUnsqueezeExpand()
    {
        var t = Tensor.Arange(0, 12, 1, DType.Float64).Reshape(3, 4);
        Assert.Equal([1.0, 3.0, 5.0, 7.0, 9.0, 11.0], t.Slice(1, 1, 4, 2).ToArray<double>());
        Assert.Equal([4.0, 5.0, 6.0, 7.0], t.Narrow(0, 1, 1).ToArray<double>());
        Assert.Equal([2.0, 6.0, 10.0], t.Select(1, 2).ToArray<double>());
        Assert.Equal(new Shape(3, 1, 4), t.Unsqueeze(1).Shape);
        Assert.Equal(new Shape(3, 4), t.Unsqueeze(1).Squeeze().Shape);
        Assert.Equal(new Shape(2, 3, 4), t.Expand(2, 3, 4).Shape);
        Assert.Equal([0, 4, 1], t.Expand(2, 3, 4).Strides());
        Assert.Equal([4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0], t[1..].ToArray<double>());
        Assert.Equal(6.0, t[1, 2].Item());
    }

    [Fact]
    public void UnflattenLast_OfAStridedView_IsAViewWithTheReshapedValuesAndGradient()
    {
        // The GPT's q of a [b, t, 3c] projection: a strided slice, split into heads without a copy.
        Tensor qkv = Tensor.Arange(0, 2 * 3 * 12, dtype: DType.Float64).Reshape(2, 3, 12).Detach();
        qkv.RequiresGrad = true;
        Tensor q = qkv.Narrow(2, 4, 4);
        Tensor heads = q.UnflattenLast(2);
        Assert.Equal(new[] { 2, 3, 2, 2 }, heads.Dims);
        Assert.Equal(q.Reshape(2, 3, 2, 2).ToDoubleArray(), heads.ToDoubleArray());
        Tensor w = Tensor.Arange(0, 24, dtype: DType.Float64).Reshape(2, 3, 2, 2);
        (heads * w).Sum().Backward();
        double[] grad = qkv.Grad!.ToDoubleArray();
        for (int i = 0; i < grad.Length; i++)
        {
            int col = i % 12, row = i / 12;
            Assert.Equal(col is >= 4 and < 8 ? row * 4 + col - 4 : 0.0, grad[i]);
        }
        qkv.Detach().Narrow(2, 4, 4).UnflattenLast(2)[0, 0, 0, 0].Fill(-1.0); // shares the storage
        Assert.Equal(-1.0, qkv[0, 0, 4].Item());
        AssertMessage(Assert.Throws<ArgumentException>(() => q.UnflattenLast(3)), "unflatten", "[2, 3, 4]", "3");
    }
}
