using static Nabla.Tests.IndexConvGradCheck;

namespace Nabla.Tests.Ops;

/// <summary>Interpolate (Ops/Resample.cs): the reference README's coordinate rules, PyTorch's special cases, gradients and errors.</summary>
public class ResampleTests
{
    private static Tensor D(double[] values, params int[] shape) => Tensor.From(values, shape, dtype: DType.Float64);

    /// <summary>A [1, 1, n, 1] column holding 0, 1, ..., n-1: the output is the source row each position read (nearest).</summary>
    private static Tensor Column(int n) => Tensor.Arange(0, n, 1, DType.Float64).Reshape(1, 1, n, 1);

    // ---- nearest ----

    [Fact]
    public void Interpolate_NearestDoubleSize_RepeatsEachPixel()
    {
        Tensor y = Functional.Interpolate(D([1, 2, 3, 4], 1, 1, 2, 2), [4, 4]);
        AssertClose([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4], y);
    }

    [Fact]
    public void Interpolate_NearestNonIntegerScaleFactor_UsesOneOverScaleFactorNotInOverOut()
    {
        // H = 5, sh = 1.7: OH = 8 and src = floor(dst/1.7) = 0 0 1 1 2 2 3 4; with 5/8 it would be 0 0 1 1 2 3 3 4.
        Tensor y = Functional.Interpolate(Column(5), scaleFactor: [1.7, 1.0]);
        Assert.Equal(new Shape(1, 1, 8, 1), y.Shape);
        AssertClose([0, 0, 1, 1, 2, 2, 3, 4], y);
        AssertClose([0, 0, 1, 1, 2, 3, 3, 4], Functional.Interpolate(Column(5), [8, 1]));
    }

    [Theory]
    [InlineData(DType.Float64)]
    [InlineData(DType.Float32)]
    public void Interpolate_NearestSourceIndex_RoundsTheProductToFloat32AsPyTorch(DType dtype)
    {
        // 2 -> 98 rows: 49 * (2/98) is 0.99999999999999989 in float64, which PyTorch rounds to float32 (1) before the floor.
        double[] y = Functional.Interpolate(Column(2).To(dtype), [98, 1]).ToDoubleArray();
        Assert.Equal(0, y[48]);
        Assert.Equal(1, y[49]);
        // 2 -> 82 rows: float32 input computes scale and product in float32, where 41 * (2/82) falls below 1 (PyTorch: 0);
        // float64 input gets 1.
        Assert.Equal(dtype == DType.Float32 ? 0 : 1, Functional.Interpolate(Column(2).To(dtype), [82, 1]).ToDoubleArray()[41]);
    }

    [Fact]
    public void Interpolate_NearestDownsample_PicksFloorOfScaledIndex()
    {
        // 10 -> 6: floor(dst*10/6) = 0 1 3 5 6 8.
        AssertClose([0, 1, 3, 5, 6, 8], Functional.Interpolate(Column(10), [6, 1]));
    }

    [Fact]
    public void Interpolate_SizeEqualToInputWithScaleFactor_BilinearCopiesNearestScales()
    {
        // H = 5, sh = 1.1 gives OH = 5: bilinear copies the rows (PyTorch's rule); nearest keeps scale 1/1.1 (Note [Nearest interpolation rule]).
        AssertClose([0, 1, 2, 3, 4], Functional.Interpolate(Column(5), scaleFactor: [1.1, 1.0], mode: InterpolationMode.Bilinear));
        AssertClose([0, 0, 1, 2, 3], Functional.Interpolate(Column(5), scaleFactor: [1.1, 1.0]));
        var x = Tensor.From(new double[] { 1, 2, 3, 4, 5 }, [1, 1, 5, 1], requiresGrad: true, dtype: DType.Float64);
        Functional.Interpolate(x, scaleFactor: [1.1, 1.0]).Sum().Backward();
        AssertClose([2, 1, 1, 1, 0], x.Grad!);
    }

    [Fact]
    public void Interpolate_NearestUpsample_AccumulatesGradientIntoPickedSources()
    {
        var x = Tensor.From(new double[] { 1, 2, 3, 4, 5, 6 }, [1, 1, 2, 3], requiresGrad: true, dtype: DType.Float64);
        // 3 -> 5 columns: sources 0 0 1 1 2; 2 -> 4 rows: each row twice.
        Functional.Interpolate(x, [4, 5]).Sum().Backward();
        AssertClose([4, 4, 2, 4, 4, 2], x.Grad!);
    }

    // ---- bilinear ----

    [Fact]
    public void Interpolate_BilinearHalfPixelCenters_ClampsAtTheBorders()
    {
        // W 2 -> 4, align_corners false: scale 0.5, src = max((o + 0.5)/2 - 0.5, 0) = 0, 0.25, 0.75, 1.25 (i0 = 1 = in-1, so i1 = 1).
        Tensor y = Functional.Interpolate(D([0, 1], 1, 1, 1, 2), [1, 4], mode: InterpolationMode.Bilinear);
        AssertClose([0, 0.25, 0.75, 1], y);
    }

    [Fact]
    public void Interpolate_BilinearAlignCorners_MapsCornersOntoCorners()
    {
        // W 2 -> 4, align_corners true: scale 1/3, src = 0, 1/3, 2/3, 1.
        Tensor y = Functional.Interpolate(D([0, 3], 1, 1, 1, 2), [1, 4], mode: InterpolationMode.Bilinear, alignCorners: true);
        AssertClose([0, 1, 2, 3], y);
        // One output: scale 0, the first pixel.
        AssertClose([0], Functional.Interpolate(D([0, 3], 1, 1, 1, 2), [1, 1], mode: InterpolationMode.Bilinear, alignCorners: true));
    }

    [Fact]
    public void Interpolate_BilinearTwoDims_WeighsFourNeighbours()
    {
        // 2x2 -> 3x3 aligned: the centre is the mean of all four, edge midpoints the mean of two.
        Tensor y = Functional.Interpolate(D([1, 3, 5, 7], 1, 1, 2, 2), [3, 3], mode: InterpolationMode.Bilinear, alignCorners: true);
        AssertClose([1, 2, 3, 3, 4, 5, 5, 6, 7], y);
    }

    [Fact]
    public void Interpolate_BilinearGradient_SumsToOnePerOutput()
    {
        var x = Tensor.Randn([2, 3, 4, 5], DType.Float64, new Generator(41), requiresGrad: true);
        Tensor y = Functional.Interpolate(x, scaleFactor: [1.7, 0.6], mode: InterpolationMode.Bilinear);
        y.Sum().Backward();
        Assert.Equal(y.Numel, x.Grad!.Sum().Item(), 9);
    }

    // ---- against the README's formulas, many sizes (bilinear copies a dim of unchanged size, PyTorch's rule) ----

    [Theory]
    [InlineData(3, 4, 5, 7, 0, 0, false, false)]
    [InlineData(5, 7, 3, 4, 0, 0, false, false)]
    [InlineData(5, 3, 0, 0, 1.7, 2.0, false, false)]
    [InlineData(4, 5, 0, 0, 0.5, 1.5, true, false)]
    [InlineData(3, 4, 5, 7, 0, 0, true, false)]
    [InlineData(3, 3, 5, 4, 0, 0, true, true)]
    [InlineData(6, 5, 4, 5, 0, 0, true, true)]
    [InlineData(7, 9, 0, 0, 1.3, 0.45, true, false)]
    [InlineData(6, 6, 13, 1, 0, 0, true, true)]
    [InlineData(40, 33, 0, 0, 2.5, 1.9, false, false)]
    [InlineData(40, 33, 70, 65, 0, 0, true, false)]
    public void Interpolate_ManySizes_MatchReadmeFormulas(int h, int w, int oh, int ow, double sh, double sw, bool bilinear, bool alignCorners)
    {
        var gen = new Generator(42);
        Tensor x = Tensor.Randn([2, 3, h, w], DType.Float64, gen);
        bool bySize = oh > 0;
        InterpolationMode mode = bilinear ? InterpolationMode.Bilinear : InterpolationMode.Nearest;
        Tensor y = bySize
            ? Functional.Interpolate(x, [oh, ow], mode: mode, alignCorners: bilinear ? alignCorners : null)
            : Functional.Interpolate(x, scaleFactor: [sh, sw], mode: mode, alignCorners: bilinear ? alignCorners : null);
        if (!bySize) (oh, ow) = ((int)Math.Floor(h * sh), (int)Math.Floor(w * sw));
        Assert.Equal(new Shape(2, 3, oh, ow), y.Shape);
        double? fh = bySize ? null : sh, fw = bySize ? null : sw;
        double[] xv = x.ToDoubleArray(), yv = y.ToDoubleArray();
        for (int p = 0; p < 6; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    double expected;
                    if (!bilinear)
                    {
                        expected = xv[(p * h + Nearest(i, h, oh, fh)) * w + Nearest(j, w, ow, fw)];
                    }
                    else
                    {
                        var (h0, h1, lh) = Linear(i, h, oh, fh, alignCorners);
                        var (w0, w1, lw) = Linear(j, w, ow, fw, alignCorners);
                        double X(int r, int c) => xv[(p * h + r) * w + c];
                        expected = (1 - lh) * ((1 - lw) * X(h0, w0) + lw * X(h0, w1)) + lh * ((1 - lw) * X(h1, w0) + lw * X(h1, w1));
                    }
                    double actual = yv[(p * oh + i) * ow + j];
                    Assert.True(Math.Abs(actual - expected) <= 1e-12, $"plane {p} [{i}, {j}]: expected {expected}, got {actual}");
                }
    }

    // README 2.8 (the product rounded to float32 before the floor, as PyTorch's kernel does).
    private static int Nearest(int dst, int inSize, int outSize, double? factor)
    {
        double scale = factor is { } f ? 1 / f : (double)inSize / outSize;
        return Math.Min((int)MathF.Floor((float)(dst * scale)), inSize - 1);
    }

    private static (int I0, int I1, double L1) Linear(int dst, int inSize, int outSize, double? factor, bool alignCorners)
    {
        if (outSize == inSize) return (dst, dst, 0);
        double scale = alignCorners ? (outSize == 1 ? 0 : (inSize - 1.0) / (outSize - 1)) : factor is { } f ? 1 / f : (double)inSize / outSize;
        double src = alignCorners ? dst * scale : Math.Max((dst + 0.5) * scale - 0.5, 0);
        int i0 = (int)Math.Floor(src);
        return (i0, Math.Min(i0 + 1, inSize - 1), src - i0);
    }

    // ---- gradients, dtypes, layouts ----

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Interpolate_Gradient_MatchesFiniteDifference(bool bilinear, bool alignCorners)
    {
        var gen = new Generator(43);
        InterpolationMode mode = bilinear ? InterpolationMode.Bilinear : InterpolationMode.Nearest;
        bool? align = bilinear ? alignCorners : null;
        Check(t => Functional.Interpolate(t[0], [5, 3], mode: mode, alignCorners: align), Leaf(gen, 2, 2, 3, 4));
        Check(t => Functional.Interpolate(t[0], scaleFactor: [0.7, 2.3], mode: mode, alignCorners: align), Leaf(gen, 1, 2, 4, 3));
    }

    [Fact]
    public void Interpolate_DoubleBackward_MatchesFiniteDifference()
    {
        var gen = new Generator(44);
        // (resampled x)^2: the second derivative runs the adjoint's own backward (the resampling again)
        CheckSecondOrder(t =>
        {
            Tensor y = Functional.Interpolate(t[0], [5, 6], mode: InterpolationMode.Bilinear);
            return y * y;
        }, Leaf(gen, 1, 2, 3, 4));
        CheckSecondOrder(t =>
        {
            Tensor y = Functional.Interpolate(t[0], [5, 6]);
            return y * y;
        }, Leaf(gen, 1, 2, 3, 4));
    }

    [Fact]
    public void Interpolate_GradFn_NamesTheMode()
    {
        var x = Tensor.Randn([1, 1, 2, 2], DType.Float64, new Generator(45), requiresGrad: true);
        Assert.Equal("UpsampleNearest2DBackward", Functional.Interpolate(x, [3, 3]).GradFn!.Name);
        Assert.Equal("UpsampleBilinear2DBackward", Functional.Interpolate(x, [3, 3], mode: InterpolationMode.Bilinear).GradFn!.Name);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Interpolate_Float32AndNonContiguous_MatchFloat64Contiguous(bool bilinear)
    {
        var gen = new Generator(46);
        Tensor x = Tensor.Randn([2, 3, 5, 4], DType.Float64, gen);
        InterpolationMode mode = bilinear ? InterpolationMode.Bilinear : InterpolationMode.Nearest;
        double[] expected = Functional.Interpolate(x, [7, 9], mode: mode).ToDoubleArray();
        Tensor single = Functional.Interpolate(x.Float(), [7, 9], mode: mode);
        Assert.Equal(DType.Float32, single.DType);
        double[] s = single.ToDoubleArray();
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - s[i]) <= 1e-5, $"element {i}: {expected[i]} vs {s[i]}");
        Tensor xt = x.Transpose(2, 3).Contiguous().Transpose(2, 3);
        Assert.False(xt.IsContiguous);
        AssertClose(expected, Functional.Interpolate(xt, [7, 9], mode: mode));
    }

    // ---- errors ----

    [Fact]
    public void Interpolate_BothOrNeitherSizeAndScaleFactor_Throws()
    {
        Tensor x = Tensor.Zeros([1, 1, 2, 2], DType.Float64);
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Interpolate(x, [4, 4], [2.0])), "interpolate", "only one of size or scale_factor",
            "[4, 4]");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Interpolate(x)), "interpolate", "either size or scale_factor");
    }

    [Fact]
    public void Interpolate_AlignCornersWithNearest_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Interpolate(Tensor.Zeros([1, 1, 2, 2], DType.Float64), [4, 4], alignCorners: false));
        ErrorAssert.AssertMessage(ex, "interpolate", "align_corners", "Bilinear", "Nearest");
    }

    [Fact]
    public void Interpolate_WrongRankBadSizesOrIntegerInput_Throw()
    {
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Interpolate(Tensor.Zeros([1, 4, 2], DType.Float64), [8])),
            "interpolate", "rank 4", "[1, 4, 2]");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Interpolate(Tensor.Zeros([1, 1, 4, 1], DType.Float64), scaleFactor: [0.1])),
            "interpolate", "greater than 0", "[0, 0]");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Interpolate(Tensor.Zeros([1, 1, 4, 1], DType.Float64), [0, 1])),
            "interpolate", "positive", "[0, 1]");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Interpolate(Tensor.Zeros([1, 1, 4, 1], DType.Float64), scaleFactor: [-2.0])),
            "interpolate", "scale_factor", "-2");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Interpolate(Tensor.Zeros([1, 1, 4, 1], DType.Float64), [1, 2, 3])),
            "interpolate", "1 or 2", "[1, 2, 3]");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Interpolate(Tensor.Zeros([1, 1, 0, 1], DType.Float64), [2, 2])),
            "interpolate", "non-empty", "[1, 1, 0, 1]");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Interpolate(Tensor.Zeros([1, 1, 2, 2], DType.Int64), [4, 4])),
            "interpolate", "int64");
    }
}
