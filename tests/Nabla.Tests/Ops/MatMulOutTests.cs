namespace Nabla.Tests.Ops;

/// <summary>MatMul(other, output): PyTorch's matmul(a, b, out=c), written into a caller's tensor.</summary>
public class MatMulOutTests
{
    private static Tensor R(DType dtype, int seed, params int[] shape) => Tensor.Randn(shape, dtype, new Generator((ulong)seed));

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Output_HoldsTheSameValuesAsTheAllocatingProduct(DType dtype)
    {
        Tensor a = R(dtype, 1, 3, 37, 70), b = R(dtype, 2, 45, 70).MT;   // batched A, transposed B broadcast over the batch
        Tensor c = Tensor.Full([3, 37, 45], double.NaN, dtype);          // stale contents must be overwritten
        int version = c.Version;
        Tensor got = a.MatMul(b, c);
        Assert.Same(c, got);
        Assert.Equal(a.MatMul(b).To(DType.Float64).ToArray<double>(), c.To(DType.Float64).ToArray<double>());
        Assert.True(c.Version > version, "writing the product must bump the output's version counter");
    }

    [Fact]
    public void Output_IsReusedAcrossCalls()
    {
        Tensor c = Tensor.Zeros([4, 5]);
        Tensor first = R(DType.Float32, 3, 4, 6).MatMul(R(DType.Float32, 4, 6, 5), c).Clone();
        R(DType.Float32, 5, 4, 6).MatMul(R(DType.Float32, 6, 6, 5), c);
        Assert.NotEqual(first.ToArray<float>(), c.ToArray<float>());
    }

    [Fact]
    public void WrongShapeOrDType_NamesWhatWasExpected()
    {
        Tensor a = R(DType.Float32, 1, 4, 6), b = R(DType.Float32, 2, 6, 5);
        var e = Assert.Throws<ArgumentException>(() => a.MatMul(b, Tensor.Zeros([5, 4])));
        Assert.Contains("matmul(out)", e.Message);
        Assert.Contains("[5, 4]", e.Message);
        Assert.Contains("[4, 5]", e.Message);
        e = Assert.Throws<ArgumentException>(() => a.MatMul(b, Tensor.Zeros([4, 5], DType.Float64)));
        Assert.Contains("float64", e.Message);
        Assert.Contains("float32", e.Message);
    }

    [Fact]
    public void NonContiguousOrAliasedOutput_IsRefused()
    {
        Tensor a = R(DType.Float32, 1, 4, 4), b = R(DType.Float32, 2, 4, 4);
        var e = Assert.Throws<ArgumentException>(() => a.MatMul(b, Tensor.Zeros([4, 4]).MT));
        Assert.Contains("contiguous", e.Message);
        e = Assert.Throws<ArgumentException>(() => a.MatMul(b, Tensor.Zeros([5, 4])[1..]));
        Assert.Contains("offset 4", e.Message);
        e = Assert.Throws<ArgumentException>(() => a.MatMul(b, a));
        Assert.Contains("shares storage", e.Message);
    }

    [Fact]
    public void OperandsThatRecordAGradient_AreRefused_UnlessUnderNoGrad()
    {
        Tensor a = Tensor.Randn([4, 6], requiresGrad: true), b = Tensor.Randn([6, 5]), c = Tensor.Zeros([4, 5]);
        var e = Assert.Throws<InvalidOperationException>(() => a.MatMul(b, c));
        Assert.Contains("not differentiable", e.Message);
        Assert.Contains("NoGrad", e.Message);
        using (Autograd.NoGrad()) a.MatMul(b, c);
        Assert.Equal(a.Detach().MatMul(b).ToArray<float>(), c.ToArray<float>());
    }

    [Fact]
    public void OneDimensionalOperands_AreRefusedWithTheShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros([4]).MatMul(Tensor.Zeros([4, 2]), Tensor.Zeros([2])));
        Assert.Contains("at least two dimensions", e.Message);
        Assert.Contains("[4]", e.Message);
    }
}
