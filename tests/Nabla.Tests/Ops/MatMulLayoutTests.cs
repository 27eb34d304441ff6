namespace Nabla.Tests.Ops;

/// <summary>
/// MatMul reads transposed, strided and broadcast operands in place (see Note [MatMul operand layout]);
/// each case must give what the same product of contiguous copies gives.
/// </summary>
public class MatMulLayoutTests
{
    private static Tensor R(DType dtype, int seed, params int[] shape) => Tensor.Randn(shape, dtype, new Generator((ulong)seed));

    public static TheoryData<DType> DTypes => new(DType.Float32, DType.Float64);

    /// <summary>a·b against a.Contiguous()·b.Contiguous() with broadcasting materialised.</summary>
    private static void AssertSameAsContiguous(Tensor a, Tensor b)
    {
        Tensor got = a.MatMul(b);
        Tensor want = a.Contiguous().MatMul(b.Contiguous());
        Assert.Equal(want.Shape, got.Shape);
        AssertClose(want, got);
    }

    private static void AssertClose(Tensor want, Tensor got)
    {
        double[] w = want.To(DType.Float64).ToArray<double>(), g = got.To(DType.Float64).ToArray<double>();
        Assert.Equal(w.Length, g.Length);
        double tol = want.DType == DType.Float32 ? 1e-5 : 1e-12;
        for (int i = 0; i < w.Length; i++)
            Assert.True(Math.Abs(w[i] - g[i]) <= tol * (1 + Math.Abs(w[i])), $"element {i}: {g[i]} vs {w[i]}");
    }

    [Theory]
    [MemberData(nameof(DTypes))]
    public void MatMul_TransposedViews_MatchContiguousCopies(DType dtype)
    {
        Tensor x = R(dtype, 1, 37, 70), w = R(dtype, 2, 45, 70), at = R(dtype, 3, 70, 37);
        AssertSameAsContiguous(x, w.MT);              // Linear: x·wᵀ
        AssertSameAsContiguous(at.MT, w.MT);          // both transposed
        AssertSameAsContiguous(at.MT, R(dtype, 5, 70, 29));   // Aᵀ·B, as in the weight gradient
        AssertSameAsContiguous(R(dtype, 6, 64, 33).MT, R(dtype, 7, 64, 17));
    }

    [Theory]
    [MemberData(nameof(DTypes))]
    public void MatMul_StridedAndExpandedMatrices_MatchContiguousCopies(DType dtype)
    {
        Tensor big = R(dtype, 8, 20, 30);
        AssertSameAsContiguous(big.Narrow(1, 3, 17), R(dtype, 9, 17, 11));                 // row stride 30 > 17 columns
        AssertSameAsContiguous(R(dtype, 10, 5, 20), big.Narrow(1, 1, 25));                 // B with row stride 30
        AssertSameAsContiguous(big.Slice(1, 0, 30, 2), R(dtype, 11, 15, 6));              // no unit stride: copied
        AssertSameAsContiguous(R(dtype, 12, 4, 20), big.Slice(1, 0, 30, 3).MT.MT);         // B with no unit stride
        AssertSameAsContiguous(R(dtype, 13, 1, 9).Expand(6, 9), R(dtype, 14, 9, 5));      // rows broadcast: stride 0
        AssertSameAsContiguous(R(dtype, 15, 6, 1).Expand(6, 9), R(dtype, 16, 9, 5));      // columns broadcast: read transposed
        AssertSameAsContiguous(R(dtype, 17, 7, 9), R(dtype, 18, 1, 4).Expand(9, 4));
        AssertSameAsContiguous(R(dtype, 19, 3, 1).MT.Expand(5, 3), R(dtype, 20, 3, 2));   // [1,3] view with odd strides, expanded
    }

    [Theory]
    [MemberData(nameof(DTypes))]
    public void MatMul_BroadcastBatchOperands_MatchContiguousCopies(DType dtype)
    {
        // conv2d: weight [cout, k] shared by every image's columns [n, k, l]
        AssertSameAsContiguous(R(dtype, 21, 8, 27), R(dtype, 22, 3, 27, 50));
        // grouped conv2d: [groups, cout/g, k] against [n, groups, k, l]
        AssertSameAsContiguous(R(dtype, 23, 2, 4, 9), R(dtype, 24, 3, 2, 9, 16));
        // Linear on a sequence: [b, s, in]·wᵀ folds the batch into M
        AssertSameAsContiguous(R(dtype, 25, 2, 3, 5, 7), R(dtype, 26, 9, 7).MT);
        AssertSameAsContiguous(R(dtype, 27, 4, 33, 40), R(dtype, 28, 40, 70));
        // broadcast both ways, transposed batch members, batch dims with odd strides
        AssertSameAsContiguous(R(dtype, 29, 2, 1, 4, 5), R(dtype, 30, 3, 6, 5).MT);
        AssertSameAsContiguous(R(dtype, 31, 3, 7, 5).MT, R(dtype, 32, 3, 7, 6));
        AssertSameAsContiguous(R(dtype, 33, 4, 3, 5, 6).Permute(1, 0, 2, 3), R(dtype, 34, 3, 4, 6, 2));
        AssertSameAsContiguous(R(dtype, 35, 6, 5).Expand(2, 3, 6, 5), R(dtype, 36, 2, 3, 5, 4).Narrow(3, 1, 3));
        // A broadcast within the batch but B varies: a sliced batch cannot fold
        AssertSameAsContiguous(R(dtype, 37, 5, 4, 7).Slice(0, 0, 5, 2), R(dtype, 38, 7, 3));
        // big enough to run split across threads
        AssertSameAsContiguous(R(dtype, 39, 64, 300), R(dtype, 40, 4, 300, 200));
        AssertSameAsContiguous(R(dtype, 41, 3, 100, 300), R(dtype, 42, 200, 300).MT);
    }

    [Theory]
    [MemberData(nameof(DTypes))]
    public void MatMul_EmptyDimensions_GiveEmptyOrZeroResults(DType dtype)
    {
        Assert.Equal(new Shape(0, 4), R(dtype, 43, 0, 3).MatMul(R(dtype, 44, 3, 4)).Shape);
        Assert.Equal(new Shape(2, 0, 4), R(dtype, 45, 2, 0, 3).MatMul(R(dtype, 46, 3, 4)).Shape);
        Tensor z = R(dtype, 47, 2, 0).MatMul(R(dtype, 48, 0, 3));
        Assert.Equal(new Shape(2, 3), z.Shape);
        Assert.All(z.To(DType.Float64).ToArray<double>(), v => Assert.Equal(0.0, v));
        Tensor zb = R(dtype, 49, 3, 2, 0).MT.MT.MatMul(R(dtype, 50, 0, 3));
        Assert.All(zb.To(DType.Float64).ToArray<double>(), v => Assert.Equal(0.0, v));
    }

    [Theory]
    [MemberData(nameof(DTypes))]
    public void MatMul_TransposedOperandGradients_MatchContiguousCopies(DType dtype)
    {
        // (a, b, whether each is used transposed): Linear x·wᵀ, aᵀ·b, both, batched against a transposed matrix.
        AssertGradsMatch(R(dtype, 51, 6, 10), false, R(dtype, 52, 8, 10), true);
        AssertGradsMatch(R(dtype, 53, 10, 6), true, R(dtype, 54, 10, 8), false);
        AssertGradsMatch(R(dtype, 55, 10, 6), true, R(dtype, 56, 8, 10), true);
        AssertGradsMatch(R(dtype, 57, 2, 6, 10), false, R(dtype, 58, 8, 10), true);
        AssertGradsMatch(R(dtype, 59, 10, 6), true, R(dtype, 60, 3, 10, 8), false);
    }

    /// <summary>Gradients of sum(tanh(op(a)·op(b))) with op a transposed view, against the same product of contiguous copies.</summary>
    private static void AssertGradsMatch(Tensor a, bool transA, Tensor b, bool transB)
    {
        Tensor a1 = a.Detach(), b1 = b.Detach();
        a1.RequiresGrad = true;
        b1.RequiresGrad = true;
        (transA ? a1.MT : a1).MatMul(transB ? b1.MT : b1).Tanh().Sum().Backward();
        Tensor a2 = a.Detach().Clone(), b2 = b.Detach().Clone();
        a2.RequiresGrad = true;
        b2.RequiresGrad = true;
        (transA ? a2.MT.Contiguous() : a2).MatMul(transB ? b2.MT.Contiguous() : b2).Tanh().Sum().Backward();
        AssertClose(a2.Grad!, a1.Grad!);
        AssertClose(b2.Grad!, b1.Grad!);
    }

    [Fact]
    public void MatMul_TransposedAndBroadcastOperands_AreNotCopied()
    {
        // x·wᵀ with a 1 MiB weight, and a conv-style weight shared by 8 batch items: only the output is allocated.
        Tensor x = R(DType.Float32, 53, 2, 512), w = R(DType.Float32, 54, 512, 512);
        Tensor cw = R(DType.Float32, 55, 64, 576), cols = R(DType.Float32, 56, 8, 576, 4);
        Tensor at = R(DType.Float32, 57, 512, 512);
        for (int pass = 0; pass < 2; pass++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            x.MatMul(w.MT);
            long linear = GC.GetAllocatedBytesForCurrentThread() - before;
            before = GC.GetAllocatedBytesForCurrentThread();
            cw.MatMul(cols);
            long conv = GC.GetAllocatedBytesForCurrentThread() - before;
            before = GC.GetAllocatedBytesForCurrentThread();
            at.MT.MatMul(x.MT);
            long gradW = GC.GetAllocatedBytesForCurrentThread() - before;
            if (pass == 0) continue; // the first pass may grow this thread's packing buffers
            Assert.True(linear < 2 * 512 * 4 + 16 * 1024, $"x·wᵀ allocated {linear} bytes");
            Assert.True(conv < 8 * 64 * 4 * 4 + 16 * 1024, $"conv-style broadcast product allocated {conv} bytes");
            Assert.True(gradW < 512 * 2 * 4 + 16 * 1024, $"aᵀ·xᵀ allocated {gradW} bytes");
        }
    }
}
