namespace Nabla.Tests.Ops;

/// <summary>Type promotion of binary ops, comparisons and reductions (Note [Type promotion]): nothing is ever truncated.</summary>
public class PromotionTests
{
    private static Tensor Mask() => Tensor.From([true, false, true]);

    private static void AssertTensor<T>(DType dtype, T[] expected, Tensor actual)
    {
        Assert.Equal(dtype, actual.DType);
        Assert.Equal(expected, actual.ToArray<T>());
    }

    // ---- integer tensor with a scalar

    [Fact]
    public void Mul_Int64TensorByFractionalDouble_PromotesToFloat32()
        => AssertTensor(DType.Float32, [0f, 0.5f, 1f], Tensor.Arange(3) * 0.5);

    [Fact]
    public void Add_Int64TensorPlusFractionalDouble_PromotesToFloat32()
        => AssertTensor(DType.Float32, [1.5f, 2.5f, 3.5f], Tensor.Arange(3) + 1.5);

    [Fact]
    public void Add_Int64TensorPlusWholeDouble_PromotesToFloat32LikeAPythonFloat()
        => AssertTensor(DType.Float32, [2f, 3f, 4f], Tensor.Arange(3).Add(2.0));

    [Fact]
    public void Add_Int64TensorPlusIntLiteral_StaysInt64()
        => AssertTensor(DType.Int64, [2L, 3L, 4L], Tensor.Arange(3) + 2);

    [Fact]
    public void ScalarOnTheLeft_Int64Tensor_PromotesOrStays()
    {
        AssertTensor(DType.Float32, [1f, 0f, -1f], 1.0 - Tensor.Arange(3));
        AssertTensor(DType.Float32, [0f, 0.5f, 1f], 0.5 * Tensor.Arange(3));
        AssertTensor(DType.Int64, [1L, 0L, -1L], 1 - Tensor.Arange(3));
        AssertTensor(DType.Float32, [float.PositiveInfinity, 1f, 0.5f], 1 / Tensor.Arange(3));
    }

    [Fact]
    public void Div_Int64TensorByIntLiteral_IsTrueDivisionInFloat32()
        => AssertTensor(DType.Float32, [0f, 0.5f, 1f], Tensor.Arange(3) / 2);

    [Fact]
    public void Div_TwoInt64Tensors_IsTrueDivisionInFloat32()
        => AssertTensor(DType.Float32, [0f, 0.5f, 0.5f], Tensor.Arange(3) / Tensor.From([1L, 2L, 4L]));

    [Fact]
    public void Div_Int64TensorByZero_GivesNaNAndInfinity()
        => AssertTensor(DType.Float32, [float.NaN, float.PositiveInfinity, float.PositiveInfinity], Tensor.Arange(3) / 0);

    [Fact]
    public void Sub_Int64TensorMinusLong_IsExactForLargeValues()
        => AssertTensor(DType.Int64, [long.MaxValue - 1], Tensor.From([long.MaxValue]) - 1);

    // ---- comparisons with a scalar

    [Fact]
    public void Lt_Int64TensorWithFractionalScalar_ComparesWithoutTruncating()
    {
        AssertTensor(DType.Bool, [true, true, false], Tensor.Arange(3).Lt(1.5));
        AssertTensor(DType.Bool, [false, false, true], Tensor.Arange(3).Gt(1.5));
        AssertTensor(DType.Bool, [true, true, false], Tensor.Arange(3).Le(1.5));
        AssertTensor(DType.Bool, [false, false, true], Tensor.Arange(3).Ge(1.5));
        AssertTensor(DType.Bool, [false, false, false], Tensor.Arange(3).Eq(1.5));
        AssertTensor(DType.Bool, [true, true, true], Tensor.Arange(3).Ne(1.5));
    }

    [Fact]
    public void Eq_Int64TensorWithLongBeyondDoublePrecision_IsExact()
    {
        const long big = (1L << 53) + 1; // not a double
        AssertTensor(DType.Bool, [true, false], Tensor.From([big, big - 1]).Eq(big));
    }

    [Fact]
    public void Eq_Int64TensorWithDoubleAbove2To24_ComparesInFloat64()
        => AssertTensor(DType.Bool, [false, true], Tensor.From([16_777_217L, 16_777_216L]).Eq(16_777_216.0)); // float32 would say true, true

    // ---- two tensors of different dtypes

    [Fact]
    public void Add_Int64AndFloat32Tensors_PromotesToFloat32()
    {
        AssertTensor(DType.Float32, [1f, 3f, 5f], Tensor.Arange(3) + Tensor.From([1f, 2f, 3f]));
        AssertTensor(DType.Float32, [1f, 3f, 5f], Tensor.From([1f, 2f, 3f]) + Tensor.Arange(3));
    }

    [Fact]
    public void Mul_Int64AndFloat64Tensors_PromotesToFloat64()
        => AssertTensor(DType.Float64, [0.0, 2.0, 6.0], Tensor.Arange(3) * Tensor.From([1.0, 2.0, 3.0], dtype: DType.Float64));

    [Fact]
    public void Mul_BoolMaskAndFloat32Tensor_PromotesToFloat32()
        => AssertTensor(DType.Float32, [1f, 0f, 3f], Mask() * Tensor.From([1f, 2f, 3f]));

    [Fact]
    public void Add_BoolAndInt64Tensors_PromotesToInt64()
        => AssertTensor(DType.Int64, [1L, 1L, 3L], Mask() + Tensor.Arange(3));

    [Fact]
    public void Mul_Float32AndFloat64Tensors_StillThrowsNamingTheConversion()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.From([1f]) * Tensor.From([1.0], dtype: DType.Float64));
        Assert.Contains("float32", ex.Message);
        Assert.Contains("float64", ex.Message);
        Assert.Contains(".To(", ex.Message);
    }

    [Fact]
    public void Mul_FloatTimesInt64_GradientReachesTheFloatOperand()
    {
        Tensor x = Tensor.From([1f, 2f, 3f], requiresGrad: true);
        Tensor y = x * Tensor.From([2L, 0L, 5L]);
        Assert.Equal(DType.Float32, y.DType);
        y.Sum().Backward();
        Assert.Equal([2f, 0f, 5f], x.Grad!.ToArray<float>());
    }

    [Fact]
    public void Lt_Int64AndFloat32Tensors_ComparesInFloat32()
        => AssertTensor(DType.Bool, [true, true, false], Tensor.Arange(3) < Tensor.From([0.5f, 1.5f, 1.5f]));

    [Fact]
    public void MaximumAndWhere_MixedDTypes_PromoteToFloat32()
    {
        AssertTensor(DType.Float32, [1f, 1f, 2f], Tensor.Arange(3).Maximum(Tensor.From([1f, 0.5f, 1.5f])));
        AssertTensor(DType.Float32, [0f, 0.5f, 2f], Tensor.Where(Mask(), Tensor.Arange(3), Tensor.From([9f, 0.5f, 9f])));
    }

    // ---- bool tensors

    [Fact]
    public void Arithmetic_BoolMaskWithScalars_FollowsPyTorch()
    {
        AssertTensor(DType.Float32, [0.5f, 0f, 0.5f], Mask() * 0.5);
        AssertTensor(DType.Int64, [2L, 0L, 2L], Mask() * 2);
        AssertTensor(DType.Int64, [2L, 1L, 2L], Mask() + 1);
        AssertTensor(DType.Float32, [1f, float.NaN, 1f], Mask() / Mask());
    }

    [Fact]
    public void Sub_WithABoolTensor_ThrowsNamingBool()
    {
        Assert.Contains("bool", Assert.Throws<ArgumentException>(() => Mask() - 1).Message);
        Assert.Contains("bool", Assert.Throws<ArgumentException>(() => 1.0 - Mask()).Message);
        Assert.Contains("bool", Assert.Throws<ArgumentException>(() => Mask() - Mask()).Message);
    }

    [Fact]
    public void Add_TwoBoolTensors_ThrowsSayingWhatToUse()
        => Assert.Contains("LogicalOr", Assert.Throws<ArgumentException>(() => Mask() + Mask()).Message);

    [Fact]
    public void Comparisons_BoolTensors_CompareAsZeroAndOne()
    {
        AssertTensor(DType.Bool, [false, true, false], Mask().Ne(Tensor.From([true, true, true])));
        AssertTensor(DType.Bool, [false, true, false], Mask().Lt(Tensor.From([true, true, true])));
        AssertTensor(DType.Bool, [true, false, true], Mask().Eq(1));
    }

    // ---- pow

    [Fact]
    public void Pow_Int64TensorToIntLiteral_StaysInt64()
        => AssertTensor(DType.Int64, [0L, 1L, 4L], Tensor.Arange(3).Pow(2));

    [Fact]
    public void Pow_Int64TensorToDouble_PromotesToFloat32()
        => AssertTensor(DType.Float32, [0f, 1f, MathF.Sqrt(2)], Tensor.Arange(3).Pow(0.5));

    [Fact]
    public void Pow_Int64TensorsElementwise_StaysInt64()
        => AssertTensor(DType.Int64, [1L, 1L, 4L, 27L], Tensor.Arange(4).Pow(Tensor.Arange(4)));

    [Fact]
    public void Pow_Int64TensorToNegativeInteger_ThrowsSayingToConvert()
        => Assert.Contains("To(DType.Float32)", Assert.Throws<ArgumentException>(() => Tensor.Arange(3).Pow(-1)).Message);

    [Fact]
    public void Pow_Float32TensorToIntLiteral_KeepsDTypeAndGradient()
    {
        Tensor x = Tensor.From([3f], requiresGrad: true);
        Tensor y = x.Pow(2);
        Assert.Equal(DType.Float32, y.DType);
        y.Sum().Backward();
        Assert.Equal([9f], y.ToArray<float>());
        Assert.Equal([6f], x.Grad!.ToArray<float>());
    }

    // ---- reductions

    [Fact]
    public void Sum_BoolTensor_CountsTrueAsInt64()
    {
        AssertTensor(DType.Int64, [2L], Mask().Sum().Reshape(1));
        AssertTensor(DType.Int64, [1L, 2L], Tensor.From([true, false, true, true], [2, 2]).Sum(1));
    }

    [Fact]
    public void Mean_Int64Tensor_ThrowsSayingToConvert()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Arange(3).Mean());
        Assert.Contains("int64", ex.Message);
        Assert.Contains("To(DType.Float32)", ex.Message);
    }

    // ---- in place

    [Fact]
    public void MulInPlace_Int64TensorByFractionalDouble_ThrowsInsteadOfTruncating()
    {
        Tensor t = Tensor.Arange(3);
        var ex = Assert.Throws<ArgumentException>(() => t.MulInPlace(0.5));
        Assert.Contains("float32", ex.Message);
        Assert.Contains("int64", ex.Message);
        Assert.Equal([0L, 1L, 2L], t.ToArray<long>());
    }

    [Fact]
    public void InPlace_Int64WithLongAndFloatWithInt64_Work()
    {
        AssertTensor(DType.Int64, [1L, 2L, 3L], Tensor.Arange(3).AddInPlace(1));
        AssertTensor(DType.Int64, [0L, 3L, 6L], Tensor.Arange(3).MulInPlace(3));
        AssertTensor(DType.Float32, [1.5f, 2.5f, 3.5f], Tensor.From([1.5f, 1.5f, 1.5f]).AddInPlace(Tensor.Arange(3)));
        Assert.Throws<ArgumentException>(() => Tensor.Arange(3).AddInPlace(Tensor.From([0.5f, 0.5f, 0.5f])));
    }
}
