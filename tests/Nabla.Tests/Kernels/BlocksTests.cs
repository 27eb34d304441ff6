using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

/// <summary>
/// The block moves of the shape ops (Note [Block moves]): strided, repeated (stride 0) and reversed (negative stride)
/// sources, on one thread and split over threads (threshold lowered), against a plain element loop.
/// </summary>
public class BlocksTests
{
    public static TheoryData<int, int> Sizes()
    {
        var data = new TheoryData<int, int>();
        foreach (int threshold in new[] { Chunked.ElementwiseThreshold, 1 })
            foreach (int n in new[] { 0, 1, 7, 8, 9, 63, 64, 65, 1001 })
                data.Add(n, threshold);
        return data;
    }

    /// <summary>Every (source stride, destination stride) pattern of a [3, n] move: contiguous, transposed, repeated, reversed.</summary>
    private static (int[] Src, int SrcOffset, int[] Dst)[] Layouts(int n) =>
    [
        ([n, 1], 0, [n, 1]),
        ([1, 3], 0, [n, 1]),
        ([0, 1], 0, [1, 3]),
        ([n, 0], 0, [n, 1]),
        ([-n, -1], 3 * n - 1, [n, 1]),
        ([n, 1], 0, [2 * n, 2]),
    ];

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Copy_AnyStrides_MatchesTheElementLoop(int n, int threshold)
    {
        foreach (var (srcStrides, srcOffset, dstStrides) in Layouts(n))
        {
            double[] src = [.. Enumerable.Range(0, 3 * n + 1).Select(i => i * 1.5)];
            var dst = new double[6 * n + 2];
            Blocks.Move<double, CopyMove<double>>(src, srcOffset, srcStrides, dst, 1, dstStrides, [3, n], threshold);
            var expected = new double[dst.Length];
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < n; j++)
                    expected[1 + i * dstStrides[0] + j * dstStrides[1]] = src[srcOffset + i * srcStrides[0] + j * srcStrides[1]];
            Assert.Equal(expected, dst);
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Add_AnyStrides_AccumulatesLikeTheElementLoop(int n, int threshold)
    {
        foreach (var (srcStrides, srcOffset, dstStrides) in Layouts(n))
        {
            float[] src = [.. Enumerable.Range(0, 3 * n + 1).Select(i => i * 0.25f)];
            float[] dst = [.. Enumerable.Range(0, 6 * n + 2).Select(i => -i * 1f)];
            float[] expected = [.. dst];
            Blocks.Move<float, AddMove<float>>(src, srcOffset, srcStrides, dst, 0, dstStrides, [3, n], threshold);
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < n; j++)
                    expected[i * dstStrides[0] + j * dstStrides[1]] += src[srcOffset + i * srcStrides[0] + j * srcStrides[1]];
            Assert.Equal(expected, dst);
        }
    }

    [Fact]
    public void Move_ZeroDimensional_MovesOneElement()
    {
        var dst = new long[3];
        Blocks.Copy(new long[] { 5, 6 }, 1, [], dst, 2, [], []);
        Assert.Equal([0L, 0, 6], dst);
    }

    [Fact]
    public void Pad_MapsRowsAndEdges_FillsElementsWithoutASource()
    {
        // A [2, 3] source padded to [3, 5]: row map [1, -1, 0], columns: one before, one after reflected.
        double[] src = [1, 2, 3, 4, 5, 6];
        var dst = new double[15];
        Blocks.Pad(src, 0, [3, 1], 3, 1, [[1, -1, 0], [1, 0, 1, 2, 1]], [3, 5], dst, 0, -1.0);
        Assert.Equal([5.0, 4, 5, 6, 5, -1, -1, -1, -1, -1, 2, 1, 2, 3, 2], dst);
    }
}
