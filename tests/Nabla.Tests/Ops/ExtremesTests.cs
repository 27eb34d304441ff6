using static Nabla.Tests.ErrorAssert;
using static Nabla.Tests.Ops.Float64Tensors;

namespace Nabla.Tests.Ops;

/// <summary>
/// Max/Min along a dim with indices, Amax/Amin, ArgMax/ArgMin (Ops/Extremes.cs): closed forms, ties and NaN, every dim of
/// contiguous and transposed inputs, gradient routing and errors. Gradient checks and PyTorch vectors: OpInfo.Extremes.cs.
/// </summary>
public class ExtremesTests
{
    [Fact]
    public void Max_AlongDim_ReturnsValuesAndIndicesOfTheFirstMaximum()
    {
        Tensor x = F64([1, 3, 3, 0, 2, 2, 1, 1], 2, 4);
        var (values, indices) = x.Max(1);
        Assert.Equal([3.0, 2], values.ToDoubleArray());
        Assert.Equal([1L, 0], indices.ToArray<long>());
        Assert.Equal(DType.Int64, indices.DType);
        (values, indices) = x.Min(0, keepDim: true);
        Assert.Equal([1, 4], values.Shape.ToArray());
        Assert.Equal([1.0, 2, 1, 0], values.ToDoubleArray());
        Assert.Equal([0L, 1, 1, 0], indices.ToArray<long>());
    }

    [Fact]
    public void Max_NaNInALine_IsTheMaximumAtItsFirstIndex()
    {
        Tensor x = F64([1, double.NaN, 5, double.NaN], 1, 4);
        var (values, indices) = x.Max(1);
        Assert.True(double.IsNaN(values.Item()));
        Assert.Equal(1L, indices.ToArray<long>()[0]);
        (values, indices) = x.MT.Min(0);
        Assert.True(double.IsNaN(values.Item()));
        Assert.Equal(1L, indices.ToArray<long>()[0]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void MaxAndMin_EveryDimOfContiguousAndTransposedInputs_MatchALoop(int dim)
    {
        // Small integers: many ties, so the first-index rule is exercised on the row path and the column path.
        var rng = new Random(7);
        Tensor x = F64([.. Enumerable.Range(0, 60).Select(_ => (double)rng.Next(-2, 3))], 3, 4, 5);
        foreach (Tensor input in new[] { x, x.Transpose(0, 2).Contiguous().Transpose(0, 2) })
            foreach (bool max in new[] { true, false })
            {
                var (values, indices) = max ? input.Max(dim) : input.Min(dim);
                double[] data = x.ToDoubleArray();
                int[] dims = [3, 4, 5];
                int[] strides = [20, 5, 1];
                double[] v = values.ToDoubleArray();
                long[] ix = indices.ToArray<long>();
                int k = 0;
                var others = Enumerable.Range(0, 3).Where(d => d != dim).ToArray();
                for (int i = 0; i < dims[others[0]]; i++)
                    for (int j = 0; j < dims[others[1]]; j++, k++)
                    {
                        int start = i * strides[others[0]] + j * strides[others[1]];
                        double[] line = Enumerable.Range(0, dims[dim]).Select(t => data[start + t * strides[dim]]).ToArray();
                        int want = Array.IndexOf(line, max ? line.Max() : line.Min());
                        Assert.Equal(want, ix[k]);
                        Assert.Equal(line[want], v[k]);
                    }
            }
    }

    [Fact]
    public void Max_ValuesGradient_GoesToTheReturnedIndexOnly()
    {
        Tensor x = F64([2, 5, 5, 1, 1, 0], 2, 3);
        x.RequiresGrad = true;
        var (values, _) = x.Max(1);
        (values * F64([10, 100], 2)).Sum().Backward();
        Assert.Equal([0.0, 10, 0, 100, 0, 0], x.Grad!.ToDoubleArray());
        Assert.Equal("MaxBackward", values.GradFn!.Name);
        Assert.Equal("MinBackward", x.Min(0).Values.GradFn!.Name);
        Assert.Equal("AminBackward", x.Amin(0).GradFn!.Name);
        Assert.Equal("AmaxBackward", x.Amax().GradFn!.Name);
        Assert.False(x.Max(1).Indices.RequiresGrad);
    }

    [Fact]
    public void Max_ZeroDimTensor_IsItsOwnMaximumAtIndexZero()
    {
        var (values, indices) = Tensor.Scalar(4.0, DType.Float64).Max(0);
        Assert.Equal(0, values.Rank);
        Assert.Equal(4.0, values.Item());
        Assert.Equal(0L, indices.Item<long>());
    }

    [Fact]
    public void Max_Int64Input_GivesInt64ValuesAndIndices()
    {
        var (values, indices) = Tensor.From([3L, 9, 9, -1], [2, 2]).Max(0);
        Assert.Equal(DType.Int64, values.DType);
        Assert.Equal([9L, 9], values.ToArray<long>());
        Assert.Equal([1L, 0], indices.ToArray<long>());
    }

    [Fact]
    public void Amin_ListOfDims_EqualsSuccessiveReductionsAndSplitsTies()
    {
        Tensor x = Tensor.Randn([2, 3, 4], DType.Float64, new Generator(3));
        Assert.Equal(x.Amin(2, keepDim: true).Amin(0, keepDim: true).ToDoubleArray(), x.Amin([0, 2], keepDim: true).ToDoubleArray());
        Assert.Equal([1, 3, 1], x.Amin([0, -1], keepDim: true).Shape.ToArray());
        Assert.Equal(x.Min().Item(), x.Amin().Item());
        Tensor t = F64([1, 1, 2, 1], 4);
        t.RequiresGrad = true;
        t.Amin().Backward();
        Assert.Equal([1.0 / 3, 1.0 / 3, 0, 1.0 / 3], t.Grad!.ToDoubleArray());
    }

    [Fact]
    public void ArgMax_AlongAMiddleDim_MatchesMaxIndices()
    {
        Tensor x = Tensor.Randn([3, 5, 4], DType.Float32, new Generator(5));
        Assert.Equal(x.Max(1).Indices.ToArray<long>(), x.ArgMax(1).ToArray<long>());
        Assert.Equal(x.Min(-1, keepDim: true).Indices.ToArray<long>(), x.ArgMin(-1, keepDim: true).ToArray<long>());
        Assert.Equal([1, 1, 1], x.ArgMax(keepDim: true).Shape.ToArray());
        Assert.Equal(Array.IndexOf(x.ToArray<float>(), x.ToArray<float>().Max()), x.ArgMax().Item<long>());
    }

    [Fact]
    public void Max_EmptyDimOrBoolInput_ThrowsNamingTheOp()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 0]).Max(1)), "max", "empty", "[2, 0]");
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Zeros([0, 3]).Amin(0)), "amin", "empty", "[0, 3]");
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.From([true, false]).Min(0)), "min", "bool");
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([2, 3]).Max(2)), "max", "dimension 2", "rank 2");
        Assert.Equal([0], Tensor.Zeros([2, 0]).Amax(0).Shape.ToArray()); // reducing a non-empty dim of an empty tensor is fine
    }
}
