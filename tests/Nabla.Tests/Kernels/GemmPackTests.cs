using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

/// <summary>The packing transpose (Note [Six-row panels]): values in place, and writes stay inside the panel plus two.</summary>
public class GemmPackTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(16)]
    [InlineData(23)]
    [InlineData(128)]
    public unsafe void Transpose_SixRowPanel_TransposesAndWritesAtMostTwoPast(int cols)
    {
        const int ld = 300, slack = 2, guard = 16;
        float[] src = [.. Enumerable.Range(0, 6 * ld).Select(i => (float)i)];
        float[] dst = [.. Enumerable.Repeat(-1f, 6 * cols + slack + guard)];
        fixed (float* s = src, d = dst) GemmPack.Transpose(s + 3, ld, 6, cols, d, 6);
        for (int q = 0; q < cols; q++)
            for (int r = 0; r < 6; r++)
                Assert.Equal(src[r * ld + 3 + q], dst[q * 6 + r]);
        for (int i = 6 * cols + slack; i < dst.Length; i++) Assert.Equal(-1f, dst[i]);
    }
}
