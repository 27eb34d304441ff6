namespace Nabla.Tests.Ops;

/// <summary>
/// Every sample of <see cref="OpInfo"/> on bfloat16 and float16 inputs, forward and backward, against the same op in
/// float32 on the same (rounded) values: the result keeps the half dtype (or the op's integer or bool dtype), each
/// gradient arrives in its input's dtype, and the values agree within the half type's precision. See Note [Half compute].
/// </summary>
public class OpInfoHalfTests
{
    // NOTE: the op computes in float32 and rounds its result once, but ops composed of other ops round each intermediate
    // to 16 bits, and the backward pass rounds each partial gradient: a few units of the last place of bfloat16 (2^-8)
    // and float16 (2^-11), relative to the largest magnitude of the result so that cancellation near zero passes.
    private static double Tolerance(DType dtype) => dtype == DType.BFloat16 ? 4e-2 : 6e-3;

    public static TheoryData<string, DType> Samples()
    {
        var data = new TheoryData<string, DType>();
        foreach (var (_, sample) in OpInfo.AllSamples())
        {
            data.Add(sample.Name, DType.BFloat16);
            data.Add(sample.Name, DType.Float16);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Op_HalfInputs_MatchFloat32ForwardAndBackward(string name, DType dtype)
    {
        OpSample sample = OpInfo.AllSamples().Single(s => s.Sample.Name == name).Sample;
        Tensor[] source = OpInfo.InputsOf(sample);
        Tensor[] half = Leaves(source, dtype);
        // The float32 reference sees the values the half inputs hold.
        Tensor[] single = Leaves([.. half.Select(t => t.Detach())], DType.Float32);
        Tensor expected = sample.Checked(single);
        Tensor actual = sample.Checked(half);

        DType want = expected.DType == DType.Float32 ? dtype : expected.DType;
        Assert.True(want == actual.DType, $"{name}: result dtype {actual.DType.Name()}, expected {want.Name()}");
        AssertClose(expected, actual, expected.DType == DType.Float32 ? Tolerance(dtype) : 0, $"{name} forward");
        if (expected.DType != DType.Float32 || !expected.RequiresGrad) return;

        Tensor weights = Tensor.Randn(expected.Shape.ToArray(), DType.Float32, new Generator(7));
        (expected * weights).Sum().Backward();
        (actual.To(DType.Float32) * weights).Sum().Backward();
        for (int i = 0; i < half.Length; i++)
        {
            if (!half[i].RequiresGrad) continue;
            Tensor? g = half[i].Grad, g32 = single[i].Grad;
            Assert.True((g is null) == (g32 is null), $"{name}: input {i} gradient {(g is null ? "missing" : "unexpected")}");
            if (g is null) continue;
            Assert.True(g.DType == dtype, $"{name}: input {i} gradient has dtype {g.DType.Name()}, expected {dtype.Name()}");
            AssertClose(g32!, g, 2 * Tolerance(dtype), $"{name} gradient {i}");
        }
    }

    [Fact]
    public void Sweep_CoversEveryRow() => Assert.Equal(OpInfo.AllSamples().Count() * 2, Samples().Count);

    private static Tensor[] Leaves(Tensor[] inputs, DType dtype) => [.. inputs.Select(t =>
    {
        Tensor c = t.Detach().To(dtype);
        if (t.RequiresGrad) c.RequiresGrad = true;
        return c;
    })];

    private static void AssertClose(Tensor expected, Tensor actual, double tolerance, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        double[] want = expected.ToDoubleArray(), got = actual.ToDoubleArray();
        double scale = want.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
        for (int i = 0; i < want.Length; i++)
        {
            bool ok = want[i].Equals(got[i]) || Math.Abs(got[i] - want[i]) <= tolerance * Math.Max(scale, 1e-3);
            Assert.True(ok, $"{what}[{i}]: expected {want[i]:R}, got {got[i]:R} (tolerance {tolerance} of {scale:R})");
        }
    }
}
