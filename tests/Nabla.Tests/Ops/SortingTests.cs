using static Nabla.Tests.ErrorAssert;
using static Nabla.Tests.Ops.Float64Tensors;

namespace Nabla.Tests.Ops;

/// <summary>
/// Sort, ArgSort and TopK (Ops/Sorting.cs): stability, NaN order, dims other than the last, the selection path of TopK,
/// gradients and errors. Gradient checks and PyTorch vectors: OpInfo.Sorting.cs.
/// </summary>
public class SortingTests
{
    private const double NaN = double.NaN;

    [Fact]
    public void Sort_EqualValues_KeepTheirSourceOrderInBothDirections()
    {
        Tensor x = F64([3, 1, 3, 1, 2], 5);
        var (values, indices) = x.Sort();
        Assert.Equal([1.0, 1, 2, 3, 3], values.ToDoubleArray());
        Assert.Equal([1L, 3, 4, 0, 2], indices.ToArray<long>());
        (values, indices) = x.Sort(descending: true);
        Assert.Equal([3.0, 3, 2, 1, 1], values.ToDoubleArray());
        Assert.Equal([0L, 2, 4, 1, 3], indices.ToArray<long>());
    }

    [Fact]
    public void Sort_NaN_SortsAboveEveryNumberAsInPyTorch()
    {
        // torch.sort(tensor([3., nan, 1., 3., -inf]), stable=True): values [-inf, 1, 3, 3, nan], indices [4, 2, 0, 3, 1]
        Tensor x = F64([3, NaN, 1, 3, double.NegativeInfinity], 5);
        var (values, indices) = x.Sort();
        Assert.Equal([4L, 2, 0, 3, 1], indices.ToArray<long>());
        Assert.True(double.IsNaN(values.ToDoubleArray()[4]));
        Assert.Equal([1L, 0, 3, 2, 4], x.ArgSort(descending: true).ToArray<long>());
        // topk(tensor([3., 1., 3., 1., nan]), 3): NaN first
        Assert.Equal([4L, 0, 2], F64([3, 1, 3, 1, NaN], 5).TopK(3).Indices.ToArray<long>());
    }

    [Fact]
    public void Sort_AlongDim0AndOnATransposedView_MatchesSortingTheTranspose()
    {
        Tensor x = Tensor.Randn([5, 3], DType.Float32, new Generator(11));
        var (byColumn, byColumnIx) = x.Sort(0, descending: true);
        var (rows, rowsIx) = x.MT.Contiguous().Sort(1, descending: true);
        Assert.Equal(rows.MT.Contiguous().ToArray<float>(), byColumn.ToArray<float>());
        Assert.Equal(rowsIx.MT.Contiguous().ToArray<long>(), byColumnIx.ToArray<long>());
        var (viewSorted, _) = x.MT.Sort(1, descending: true); // a non-contiguous input
        Assert.Equal(rows.ToArray<float>(), viewSorted.ToArray<float>());
    }

    [Fact]
    public void TopK_FewOfManyWithTies_IsThePrefixOfTheStableSort()
    {
        // k * 4 <= size takes the heap selection; it must pick exactly what the sort would.
        var rng = new Random(3);
        Tensor x = Tensor.From([.. Enumerable.Range(0, 3 * 200).Select(_ => (long)rng.Next(0, 20))], [3, 200]);
        foreach (bool largest in new[] { true, false })
            foreach (int k in new[] { 1, 5, 50 })
            {
                var (values, indices) = x.TopK(k, 1, largest);
                var (sorted, order) = x.Sort(1, descending: largest);
                Assert.Equal(sorted.Narrow(1, 0, k).Contiguous().ToArray<long>(), values.ToArray<long>());
                Assert.Equal(order.Narrow(1, 0, k).Contiguous().ToArray<long>(), indices.ToArray<long>());
                var (columns, columnIx) = x.MT.Contiguous().TopK(k, 0, largest);
                Assert.Equal(indices.ToArray<long>(), columnIx.MT.Contiguous().ToArray<long>());
                Assert.Equal(values.ToArray<long>(), columns.MT.Contiguous().ToArray<long>());
            }
    }

    [Fact]
    public void TopK_ValuesGradient_GoesBackToTheSourcePositions()
    {
        Tensor x = F64([0.5, 2, -1, 3], 4);
        x.RequiresGrad = true;
        var (values, indices) = x.TopK(2);
        Assert.Equal([3L, 1], indices.ToArray<long>());
        (values * F64([10, 100], 2)).Sum().Backward();
        Assert.Equal([0.0, 100, 0, 10], x.Grad!.ToDoubleArray());
        Assert.Equal("TopkBackward", values.GradFn!.Name);
        Assert.Equal("SortBackward", x.Sort().Values.GradFn!.Name);
        Assert.False(x.ArgSort().RequiresGrad);
    }

    [Fact]
    public void TopK_ZeroAndFullK_GiveEmptyAndSortedResults()
    {
        Tensor x = F64([2, 1, 3], 3);
        Assert.Equal([0], x.TopK(0).Values.Shape.ToArray());
        Assert.Equal([3.0, 2, 1], x.TopK(3).Values.ToDoubleArray());
        Assert.Equal([1.0, 2, 3], x.TopK(3, largest: false, sorted: false).Values.ToDoubleArray());
        Assert.Equal([0, 4], Tensor.Zeros([0, 4]).Sort(1).Values.Shape.ToArray());
    }

    [Fact]
    public void Sort_ZeroDimTensor_IsItselfAtIndexZero()
    {
        var (values, indices) = Tensor.Scalar(2.5, DType.Float64).Sort(0);
        Assert.Equal(2.5, values.Item());
        Assert.Equal(0L, indices.Item<long>());
        Assert.Equal(0, indices.Rank);
        Assert.Equal(2.5, Tensor.Scalar(2.5, DType.Float64).TopK(1).Values.Item());
        Assert.Equal(2.5, Tensor.Scalar(2.5, DType.Float64).TopK(0).Values.Item()); // PyTorch's topk(0-d, 0) too
    }

    [Fact]
    public void SortAndTopK_BadArguments_ThrowNamingTheOp()
    {
        Tensor x = Tensor.Zeros([3, 4]);
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => x.TopK(5, 1)), "topk", "k = 5", "size 4", "[3, 4]", "0 to 4");
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => x.TopK(-1)), "topk", "k = -1");
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => x.Sort(2)), "sort", "dimension 2");
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.From([true]).ArgSort()), "argsort", "bool");
    }
}
