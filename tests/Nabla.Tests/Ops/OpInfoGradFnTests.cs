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
            data.Add(sample.Name);
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

    [Fact]
    public void Pieces_GradFn_IsPyTorchsSplitNode()
    {
        Tensor x = Tensor.Randn([4, 6], DType.Float64, new Generator(0), requiresGrad: true);
        Assert.All(x.Split(2, dim: 1), p => Assert.Equal("SplitBackward", p.GradFn!.Name));
        Assert.All(x.Split([1, 5], dim: 1), p => Assert.Equal("SplitWithSizesBackward", p.GradFn!.Name));
        Assert.All(x.Chunk(3, dim: 1), p => Assert.Equal("SplitBackward", p.GradFn!.Name));
        Assert.All(x.Unbind(0), p => Assert.Equal("UnbindBackward", p.GradFn!.Name));
    }
}
