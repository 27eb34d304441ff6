using static Nabla.Tests.ErrorAssert;

namespace Nabla.Tests.Ops;

/// <summary>Elementwise binary ops (Ops/Binary.cs): broadcasting, strided operands, the tiny-tensor paths and errors.</summary>
public class BinaryTests
{
    [Fact]
    public void Add_ShapesThatDoNotBroadcast_NamesBothShapes()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 3]) + Tensor.Zeros([4])), "add", "[2, 3]", "[4]", "broadcast");

    [Fact]
    public void Mul_DTypeMismatch_NamesBothDTypes()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Zeros([2]) * Tensor.Zeros([2], DType.Float64)), "mul", "float32", "float64");

    [Fact]
    public void Where_NonBoolCondition_Throws()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Where(Tensor.Zeros([2]), Tensor.Zeros([2]), Tensor.Zeros([2]))), "where", "bool", "float32");

    [Fact]
    public void Binary_BroadcastsByNumPyRules()
    {
        var a = Tensor.From([1.0, 2.0, 3.0], [3, 1], dtype: DType.Float64);
        var b = Tensor.From([10.0, 20.0], [2], dtype: DType.Float64);
        Tensor c = a + b;
        Assert.Equal(new Shape(3, 2), c.Shape);
        Assert.Equal([11.0, 21.0, 12.0, 22.0, 13.0, 23.0], c.ToArray<double>());
    }

    [Fact]
    public void Binary_OnNonContiguousInputs_GivesLogicalResult()
    {
        var a = Tensor.Arange(0, 6, 1, DType.Float64).Reshape(2, 3).Transpose(0, 1);
        var b = Tensor.Ones([3, 2], DType.Float64);
        Assert.Equal([1.0, 4.0, 2.0, 5.0, 3.0, 6.0], (a + b).ToArray<double>());
    }

    public static TheoryData<DType> FloatAndIntTypes => new() { DType.Float32, DType.Float64, DType.Int64 };

    private static readonly (string Name, Func<Tensor, Tensor, Tensor> Op, Func<double, double, double> Ref)[] Ops =
    [
        ("add", (a, b) => a + b, (x, y) => x + y),
        ("sub", (a, b) => a - b, (x, y) => x - y),
        ("mul", (a, b) => a * b, (x, y) => x * y),
        ("maximum", (a, b) => a.Maximum(b), Math.Max),
    ];

    private static Tensor Random(int[] shape, DType dtype, Generator gen) => dtype == DType.Int64
        ? Tensor.RandInt(-9, 10, shape, gen)
        : (Tensor.Rand(shape, DType.Float64, gen) * 4.0 - 2.0).To(dtype);

    /// <summary>Reference: both operands expanded to the result shape and copied (the general strided path), then one loop in double.</summary>
    private static double[] Reference(Tensor a, Tensor b, Func<double, double, double> op, DType dtype)
    {
        int[] shape = Tensor.BroadcastShapes(a.Dims, b.Dims, "test");
        double[] x = a.ExpandTo(shape).Contiguous().To(DType.Float64).ToArray<double>();
        double[] y = b.ExpandTo(shape).Contiguous().To(DType.Float64).ToArray<double>();
        var r = new double[x.Length];
        // For float32, double arithmetic rounded once to float equals float arithmetic for + - * and max.
        for (int i = 0; i < r.Length; i++) r[i] = dtype == DType.Float32 ? (float)op(x[i], y[i]) : op(x[i], y[i]);
        return r;
    }

    private static void Check(Tensor a, Tensor b, DType dtype, string what)
    {
        foreach (var (name, op, reference) in Ops)
        {
            Tensor got = op(a, b);
            double[] expected = Reference(a, b, reference, dtype);
            Assert.Equal(Tensor.BroadcastShapes(a.Dims, b.Dims, "test"), got.Dims);
            Assert.True(expected.SequenceEqual(got.To(DType.Float64).ToArray<double>()), $"{name} {what}: {a.Shape} and {b.Shape}");
        }
    }

    [Theory]
    [MemberData(nameof(FloatAndIntTypes))]
    public void BinaryOps_OnSmallAndJustLargerTensors_MatchTheGeneralPath(DType dtype)
    {
        var gen = new Generator(11);
        var rng = new Random(5);
        for (int trial = 0; trial < 60; trial++)
        {
            // Sizes include odd ones and 0-d, and every fourth trial straddles the one-loop limit (Tensor.SmallLoop).
            int rank = rng.Next(0, 3);
            int[] shape = trial % 4 != 3 ? Enumerable.Range(0, rank).Select(_ => rng.Next(1, 8)).ToArray()
                : rank == 1 ? [Tensor.SmallLoop - 1 + rng.Next(0, 3)]
                : rank == 2 ? [rng.Next(40, 52), rng.Next(40, 52)]
                : [];
            Tensor a = Random(shape, dtype, gen), b = Random(shape, dtype, gen);
            Check(a, b, dtype, "same shape");
            Tensor s = Random([], dtype, gen), one = Random([1], dtype, gen), oneOne = Random([1, 1], dtype, gen);
            Check(a, s, dtype, "0-d right");
            Check(s, a, dtype, "0-d left");
            Check(one, a, dtype, "[1] left");
            Check(a, oneOne, dtype, "[1, 1] right");
            if (rank == 2)
            {
                // Non-contiguous operands: a transposed view, and a column broadcast against a row.
                Tensor t = Random([shape[1], shape[0]], dtype, gen).Transpose(0, 1);
                Assert.False(t.IsContiguous && shape[0] > 1 && shape[1] > 1);
                Check(t, b, dtype, "transposed left");
                Check(b, t, dtype, "transposed right");
                Check(Random([shape[0], 1], dtype, gen), Random([1, shape[1]], dtype, gen), dtype, "outer broadcast");
                // A one-element view into the middle of a larger storage (offset, strides of the parent).
                Tensor mid = Random([3, 3], dtype, gen).Narrow(0, 1, 1).Narrow(1, 2, 1);
                Check(mid, a, dtype, "offset one-element view");
            }
        }
    }

    [Fact]
    public void BinaryOps_ResultSharesNoStorageWithOperands()
    {
        var a = Tensor.Scalar(2.0, dtype: DType.Float64);
        var b = Tensor.Scalar(3.0, dtype: DType.Float64);
        Tensor y = a + b;
        a.AddInPlace(Tensor.Scalar(1.0, dtype: DType.Float64));
        Assert.Equal(5.0, y.Item());
        Assert.Empty(y.Dims);
    }
}
