namespace Nabla.Tests.CrossCutting;

/// <summary>The softmax family and the logit losses stay finite at logits of ±1000 and ±100.</summary>
public class StabilityTests
{
    public static TheoryData<double> Magnitudes() => [100.0, 1000.0];

    private static void AssertFinite(Tensor t, string what) =>
        Assert.All(t.ToDoubleArray(), v => Assert.True(double.IsFinite(v), $"{what}: {v}"));

    [Theory]
    [MemberData(nameof(Magnitudes))]
    public void SoftmaxFamily_AtExtremeLogits_StaysFiniteWithFiniteGradients(double m)
    {
        double[] logits = [m, -m, 0, m - 1, -m + 1, 1];
        foreach (var (name, f) in new (string, Func<Tensor, Tensor>)[]
        {
            ("softmax", x => x.Softmax(1)),
            ("log_softmax", x => x.LogSoftmax(1)),
            ("logsumexp", x => x.LogSumExp(1)),
            ("cross_entropy", x => Functional.CrossEntropy(x, Tensor.From([1L, 2L]))),
            ("bce_with_logits", x => Functional.BinaryCrossEntropyWithLogits(x, Tensor.From([1.0, 0, 1, 0, 1, 0], [2, 3], dtype: DType.Float64).To(x.DType))),
        })
        {
            foreach (DType dtype in new[] { DType.Float64, DType.Float32 })
            {
                var x = Tensor.From(logits, [2, 3], dtype: DType.Float64).To(dtype).Detach();
                x.RequiresGrad = true;
                Tensor y = f(x);
                AssertFinite(y, $"{name} {dtype} value");
                y.Sum().Backward();
                AssertFinite(x.Grad!, $"{name} {dtype} grad");
            }
        }
    }

    [Fact]
    public void LogSoftmax_AtLogit1000_HasExactValues()
    {
        Tensor y = Tensor.From([1000.0, 0.0], dtype: DType.Float64).LogSoftmax(0);
        Assert.Equal(0.0, y.ToArray<double>()[0], 12);
        Assert.Equal(-1000.0, y.ToArray<double>()[1], 9);
        Assert.Equal(1000.0 + Math.Log(2), Tensor.From([1000.0, 1000.0], dtype: DType.Float64).LogSumExp(0).Item(), 9);
    }
}
