using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

/// <summary>
/// The threaded elementwise and reduction drivers (Note [Elementwise threads]) at 1 and 2 threads, with the threshold
/// lowered so that odd small sizes are split too, against plain reference loops (bit for bit).
/// </summary>
public class ChunkedTests
{
    public static TheoryData<int, int> Cases()
    {
        var data = new TheoryData<int, int>();
        foreach (int threads in new[] { 1, 2 })
            foreach (int n in new[] { 1, 2, 63, 64, 65, 1001, 4099 })
                data.Add(n, threads);
        return data;
    }

    private static double[] Values(int n, int seed, double offset = 0)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 6 - 3 + offset).ToArray();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ContiguousBinary_MatchesTheReferenceLoop(int n, int threads)
    {
        float[] a = Values(n + 3, 1).Select(v => (float)v).ToArray(), b = Values(n + 5, 2, 4).Select(v => (float)v).ToArray();
        var y = new float[n + 2];
        Elementwise.Contiguous<float, float, DivOp<float>>(a, 3, b, 5, y, 2, n, threads, threshold: 1);
        for (int i = 0; i < n; i++) Assert.Equal(a[3 + i] / b[5 + i], y[2 + i]);
        Assert.Equal(0f, y[0]);

        double[] c = Values(n, 3);
        var z = new double[n];
        Elementwise.ContiguousScalar<double, double, MulOp<double>>(c, 0, 1.5, z, 0, n, threads, threshold: 1);
        for (int i = 0; i < n; i++) Assert.Equal(c[i] * 1.5, z[i]);
        Elementwise.ScalarContiguous<double, double, SubOp<double>>(2.5, c, 0, z, 0, n, threads, threshold: 1);
        for (int i = 0; i < n; i++) Assert.Equal(2.5 - c[i], z[i]);

        var mask = new bool[n];
        Elementwise.Contiguous<double, bool, GtOp<double>>(c, 0, Values(n, 4), 0, mask, 0, n, threads, threshold: 1);
        double[] d = Values(n, 4);
        for (int i = 0; i < n; i++) Assert.Equal(c[i] > d[i], mask[i]);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Unary_MatchesOneCallOverTheWholeSpan(int n, int threads)
    {
        float[] x = Values(n + 1, 5).Select(v => (float)v).ToArray();
        float[] expected = new float[n], actual = new float[n];
        TanhOp<float>.Invoke(x.AsSpan(1, n), expected);
        Elementwise.Unary<float, TanhOp<float>>(x, 1, actual, 0, n, threads, threshold: 1);
        Assert.Equal(expected, actual);

        double[] xd = Values(n, 6);
        double[] expectedD = new double[n], actualD = new double[n];
        ExpOp<double>.Invoke(xd, expectedD);
        Elementwise.Unary<double, ExpOp<double>>(xd, 0, actualD, 0, n, threads, threshold: 1);
        Assert.Equal(expectedD, actualD);
        Elementwise.Unary<double, ReluOp<double>>(xd, 0, actualD, 0, n, threads, threshold: 1);
        for (int i = 0; i < n; i++) Assert.Equal(Math.Max(xd[i], 0), actualD[i]);

        SigmoidOp<float>.Invoke(x.AsSpan(1, n), expected);
        Elementwise.Unary<float, SigmoidOp<float>>(x, 1, actual, 0, n, threads, threshold: 1);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void TranscendentalOps_SplitFromTheirOwnThreshold_BitIdentically(int threads)
    {
        // The default threshold of a transcendental op is Chunked.TranscendentalThreshold, not ElementwiseThreshold:
        // 40,001 elements split at 2 threads; the result equals one call over the whole span.
        int n = 40_001;
        Assert.True(n > Chunked.TranscendentalThreshold && n < Chunked.ElementwiseThreshold);
        float[] x = Values(n, 8).Select(v => (float)v).ToArray();
        float[] expected = new float[n], actual = new float[n];
        foreach (var (whole, chunked) in new (SpanOp, ChunkedOp)[]
        {
            (TanhOp<float>.Invoke, (a, b) => Elementwise.Unary<float, TanhOp<float>>(a, 0, b, 0, n, threads)),
            (SigmoidOp<float>.Invoke, (a, b) => Elementwise.Unary<float, SigmoidOp<float>>(a, 0, b, 0, n, threads)),
            (ExpOp<float>.Invoke, (a, b) => Elementwise.Unary<float, ExpOp<float>>(a, 0, b, 0, n, threads)),
            (LogOp<float>.Invoke, (a, b) => Elementwise.Unary<float, LogOp<float>>(a, 0, b, 0, n, threads)),
        })
        {
            whole(x, expected);
            chunked(x, actual);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Thresholds_TranscendentalOpsSplitEarlierThanMemoryBoundOnes()
    {
        Assert.All(new[] { Threshold<ExpOp<float>>(), Threshold<LogOp<float>>(), Threshold<Log1pOp<float>>(), Threshold<TanhOp<float>>(),
                           Threshold<SigmoidOp<float>>(), Threshold<SinOp<float>>(), Threshold<CosOp<float>>(), Threshold<ErfOp<float>>() },
            t => Assert.Equal(Chunked.TranscendentalThreshold, t));
        Assert.All(new[] { Threshold<ReluOp<float>>(), Threshold<NegOp<float>>(), Threshold<AbsOp<float>>(), Threshold<SqrtOp<float>>() },
            t => Assert.Equal(Chunked.ElementwiseThreshold, t));
    }

    private static int Threshold<TOp>() where TOp : IUnaryOp<TOp, float> => TOp.ParallelThreshold;

    private delegate void SpanOp(ReadOnlySpan<float> x, Span<float> y);

    private delegate void ChunkedOp(float[] x, float[] y);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void StridedBroadcastBinary_MatchesTheReferenceLoop(int threads)
    {
        // a: a transposed [7, 13] view of a [13, 7] buffer (offset 2); b: [13] broadcast along dim 0 (stride 0).
        foreach (var (rows, cols) in new[] { (7, 13), (1, 5), (9, 1), (31, 33) })
        {
            double[] a = Values(rows * cols + 2, 7), b = Values(cols, 8);
            int[] stridesA = [1, rows], stridesB = [0, 1];
            var y = new double[rows * cols + 1];
            Elementwise.Binary<double, double, AddOp<double>>(a, 2, stridesA, b, 0, stridesB, [rows, cols], y, 1, threads, threshold: 1);
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                    Assert.Equal(a[2 + r + c * rows] + b[c], y[1 + r * cols + c]);
            // float32, contiguous a with b broadcast along dim 1 ([rows, 1])
            float[] af = Values(rows * cols, 9).Select(v => (float)v).ToArray(), bf = Values(rows, 10).Select(v => (float)v).ToArray();
            var yf = new float[rows * cols];
            Elementwise.Binary<float, float, MulOp<float>>(af, 0, [cols, 1], bf, 0, [1, 0], [rows, cols], yf, 0, threads, threshold: 1);
            for (int i = 0; i < rows * cols; i++) Assert.Equal(af[i] * bf[i / cols], yf[i]);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RowReductions_MatchTheReferenceLoops(int rowLength, int threads)
    {
        foreach (int rows in new[] { 1, 3, 17 })
        {
            float[] src = Values(rows * rowLength + 4, rowLength + rows).Select(v => (float)v).ToArray();
            var columns = new float[rowLength];
            RowReductions.AddRows(src, 4, rows * rowLength, rowLength, columns, threads, threshold: 1);
            for (int c = 0; c < rowLength; c++)
            {
                float sum = 0;
                for (int r = 0; r < rows; r++) sum += src[4 + r * rowLength + c];
                Assert.Equal(sum, columns[c]);
            }
            var perRow = new float[rows];
            RowReductions.SumRows(src, 4, rows, rowLength, perRow, threads, threshold: 1);
            for (int r = 0; r < rows; r++)
                Assert.Equal(System.Numerics.Tensors.TensorPrimitives.Sum<float>(src.AsSpan(4 + r * rowLength, rowLength)), perRow[r]);
        }
    }

    [Fact]
    public void LargeOps_AboveTheThreshold_MatchReferenceLoops()
    {
        // Through the public ops, with sizes above Chunked.ElementwiseThreshold so the default settings split them.
        int rows = 2053, cols = 2049; // 4,206,597 elements
        Assert.True(rows * cols > Chunked.ElementwiseThreshold);
        Tensor a = Tensor.Randn([cols, rows], DType.Float32, new Generator(1)).MT; // non-contiguous [rows, cols]
        Tensor b = Tensor.Randn([cols], DType.Float32, new Generator(2));
        Tensor ac = a.Contiguous();
        float[] ad = ac.ToArray<float>(), bd = b.ToArray<float>();
        float[] sum = (a + b).ToArray<float>(), relu = a.Relu().ToArray<float>(), scaled = (ac * 3.0).ToArray<float>(), product = (ac * ac).ToArray<float>();
        float[] colSums = ac.Sum(0).ToArray<float>(), rowSums = ac.Sum(1).ToArray<float>();
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                int i = r * cols + c;
                Assert.Equal(ad[i] + bd[c], sum[i]);
                Assert.Equal(Math.Max(ad[i], 0), relu[i]);
                Assert.Equal(ad[i] * 3f, scaled[i]);
                Assert.Equal(ad[i] * ad[i], product[i]);
            }
            Assert.Equal(System.Numerics.Tensors.TensorPrimitives.Sum<float>(ad.AsSpan(r * cols, cols)), rowSums[r]);
        }
        var expected = new float[cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) expected[c] += ad[r * cols + c];
        Assert.Equal(expected, colSums);
    }
}
