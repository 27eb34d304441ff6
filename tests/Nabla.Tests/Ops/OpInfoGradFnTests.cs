namespace Nabla.Tests.Ops;

/// <summary>
/// Every op reports its own node as GradFn, PyTorch's name (<see cref="OpInfo.GradFn"/>), never the last primitive a
/// composite op is built from (Note [Composite ops]).
/// </summary>
public class OpInfoGradFnTests
{
    public static TheoryData<string> SampleNames()
    {
        var data = new TheoryData<string>();
        foreach (var (row, sample) in OpInfo.AllSamples())
            if (row.GradFnAudited) data.Add(sample.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Op_GradFn_IsTheOpsOwnNode(string name)
    {
        var (row, sample) = OpInfo.AllSamples().Single(s => s.Sample.Name == name);
        Tensor y = sample.F(OpInfo.InputsOf(sample));
        Assert.True(y.GradFn is not null, $"{name}: the result of a sample whose inputs require a gradient has no GradFn");
        Assert.Equal(sample.GradFn ?? row.GradFn, y.GradFn!.Name);
    }
}
