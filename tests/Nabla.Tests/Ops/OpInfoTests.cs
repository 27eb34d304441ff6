using Nabla.Diagnostics;
using Nabla.Tests.Reference;

namespace Nabla.Tests.Ops;

/// <summary>
/// The checks every row of <see cref="OpInfo"/> gets: a float64 finite-difference gradient check per sample, float32
/// against float64, int64 and bool inputs (computed, promoted or refused as the row declares), and the coverage of the
/// PyTorch reference files (every op they hold has exactly one row).
/// </summary>
public class OpInfoTests
{
    // NOTE: float32 keeps 24 bits; these bounds (the reference README's for a float32 library) hold for the short sums
    // and products of the samples and fail for an op that computes in the wrong precision or the wrong formula.
    private const double Float32RelativeTolerance = 1e-4;
    private const double Float32AbsoluteTolerance = 1e-5;

    public static TheoryData<string> SampleNames()
    {
        var data = new TheoryData<string>();
        foreach (var (_, sample) in OpInfo.AllSamples()) data.Add(sample.Name);
        return data;
    }

    public static TheoryData<string, DType> RowsWithIntegerAndBoolInputs()
    {
        var data = new TheoryData<string, DType>();
        foreach (OpInfo row in OpInfo.All)
        {
            data.Add(row.Name, DType.Int64);
            data.Add(row.Name, DType.Bool);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Op_AnalyticalGradient_MatchesFiniteDifference(string name)
    {
        OpSample sample = Sample(name).Sample;
        Tensor[] inputs = OpInfo.InputsOf(sample);
        GradCheckReport report = GradCheck.Check(x => sample.Checked([.. x]), inputs, tolerance: 1e-6);
        Assert.True(report.Passed, $"{name}:\n{report}");
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Op_Float32Forward_MatchesFloat64WithinFloat32Tolerance(string name)
    {
        OpSample sample = Sample(name).Sample;
        Tensor[] single = Convert(OpInfo.InputsOf(sample), DType.Float32);
        Tensor actual, expected;
        using (Autograd.NoGrad())
        {
            actual = sample.F(single);
            expected = sample.F(Convert(single, DType.Float64));
        }
        Assert.Equal(DType.Float32, actual.DType);
        AssertClose(expected, actual, Float32RelativeTolerance, Float32AbsoluteTolerance, name);
    }

    [Theory]
    [MemberData(nameof(RowsWithIntegerAndBoolInputs))]
    public void Op_IntegerOrBoolInputs_ComputePromoteOrThrowAsTheRowDeclares(string op, DType dtype)
    {
        OpInfo row = OpInfo.All.Single(r => r.Name == op);
        foreach (OpSample sample in row.Samples)
        {
            DTypeRule rule = row.RuleFor(sample, dtype);
            Tensor[] inputs = Convert(OpInfo.InputsOf(sample), dtype);
            if (rule == DTypeRule.Throws)
            {
                var ex = Assert.Throws<ArgumentException>(() => sample.F(inputs));
                Assert.Contains(row.ErrorName, ex.Message);
                continue;
            }
            Tensor actual = sample.F(inputs);
            Tensor expected = sample.F(Convert(inputs, DType.Float64));
            string what = $"{sample.Name} from {dtype.Name()}";
            switch (rule)
            {
                case DTypeRule.Computes:
                    Assert.Equal(dtype, actual.DType);
                    AssertClose(expected, actual, 0, 0, what);
                    break;
                case DTypeRule.PromotesToInt64:
                    Assert.Equal(DType.Int64, actual.DType);
                    AssertClose(expected, actual, 0, 0, what);
                    break;
                default:
                    Assert.Equal(DType.Float32, actual.DType);
                    AssertClose(expected, actual, Float32RelativeTolerance, Float32AbsoluteTolerance, what);
                    break;
            }
        }
    }

    [Fact]
    public void ReferenceFiles_EveryOp_HasExactlyOneRow()
    {
        var ops = OpInfo.ReferenceFiles.SelectMany(f => ReferenceData.Cases(f).Values).Select(c => c.GetProperty("op").GetString()!).Distinct();
        string[] unmapped = ops.Where(op => OpInfo.All.Count(r => r.Reference.Contains(op)) != 1).Order().ToArray();
        Assert.True(unmapped.Length == 0, $"ops of {string.Join(", ", OpInfo.ReferenceFiles)} without exactly one row in OpInfo: {string.Join(", ", unmapped)}");
    }

    [Fact]
    public void Rows_NamesAndSampleNames_AreUniqueAndEveryRowHasASample()
    {
        Assert.Equal(OpInfo.All.Length, OpInfo.All.Select(r => r.Name).Distinct().Count());
        string[] samples = OpInfo.AllSamples().Select(s => s.Sample.Name).ToArray();
        Assert.Equal(samples.Length, samples.Distinct().Count());
        Assert.All(OpInfo.All, r => Assert.NotEmpty(r.Samples));
        Assert.All(OpInfo.All, r => Assert.Equal(r.Call is null, r.Reference.Length == 0));
    }

    private static (OpInfo Row, OpSample Sample) Sample(string name) => OpInfo.AllSamples().Single(s => s.Sample.Name == name);

    /// <summary>The inputs (all floating-point: samples create their index and mask tensors inside F) as <paramref name="dtype"/>, detached.</summary>
    private static Tensor[] Convert(Tensor[] inputs, DType dtype) => [.. inputs.Select(t => t.Detach().To(dtype))];

    private static void AssertClose(Tensor expected, Tensor actual, double rtol, double atol, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        double[] want = expected.ToDoubleArray(), got = actual.ToDoubleArray();
        for (int i = 0; i < want.Length; i++)
        {
            bool ok = want[i].Equals(got[i]) || Math.Abs(got[i] - want[i]) <= atol + rtol * Math.Abs(want[i]);
            Assert.True(ok, $"{what}[{i}]: expected {want[i]:R}, got {got[i]:R} (rtol {rtol}, atol {atol})");
        }
    }
}
