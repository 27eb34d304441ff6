using Nabla.NN;
using static Nabla.Tests.NN.RecurrentTestKit;

namespace Nabla.Tests.NN;

/// <summary>The Rnn layer (tanh and ReLU): closed forms, layouts, PyTorch's names, dropout, gradients and errors.</summary>
public class RnnTests
{
    [Theory]
    [InlineData(Nonlinearity.Tanh)]
    [InlineData(Nonlinearity.Relu)]
    public void Forward_ThreeStepsOneUnit_MatchesTheRecurrence(Nonlinearity act)
    {
        var rnn = new Rnn(1, 1, nonlinearity: act, dtype: DType.Float64);
        rnn.LoadStateDict(new Dictionary<string, Tensor>
        {
            ["weight_ih_l0"] = Tensor.Full([1, 1], 0.5, DType.Float64),
            ["weight_hh_l0"] = Tensor.Full([1, 1], -0.8, DType.Float64),
            ["bias_ih_l0"] = Tensor.Full([1], 0.1, DType.Float64),
            ["bias_hh_l0"] = Tensor.Full([1], 0.2, DType.Float64),
        });
        double[] xs = [1.0, 2.0, -0.5];
        double h = 0;
        var expected = new double[3];
        for (int t = 0; t < 3; t++)
        {
            double a = 0.5 * xs[t] + 0.1 - 0.8 * h + 0.2;
            h = act == Nonlinearity.Relu ? Math.Max(a, 0) : Math.Tanh(a);
            expected[t] = h;
        }
        var (output, hn) = rnn.Forward(Tensor.From(xs, [3, 1], dtype: DType.Float64));   // unbatched
        FunctionalGradCheck.AssertAll(expected, output, 1e-14, 1e-15);
        Assert.Equal([3, 1], output.Shape.ToArray());
        Assert.Equal([1, 1], hn.Shape.ToArray());
        FunctionalGradCheck.AssertAll([h], hn, 1e-14, 1e-15);
    }

    [Theory]
    [InlineData(Nonlinearity.Tanh, 1, false, false, true)]
    [InlineData(Nonlinearity.Relu, 2, true, true, true)]
    [InlineData(Nonlinearity.Tanh, 3, true, false, false)]
    public void Forward_LayersDirectionsLayouts_MatchTheUnfusedCellsWithGradients(Nonlinearity act, int layers, bool bidirectional, bool batchFirst, bool bias)
    {
        var rnn = new Rnn(3, 4, layers, act, bias, batchFirst, bidirectional: bidirectional, dtype: DType.Float64, generator: new Generator(5));
        int d = bidirectional ? 2 : 1;
        AssertMatchesReference(rnn, Leaf(1, batchFirst ? [2, 5, 3] : [5, 2, 3]));
        AssertMatchesReference(rnn, Leaf(2, batchFirst ? [2, 5, 3] : [5, 2, 3]), Leaf(3, layers * d, 2, 4));
        AssertMatchesReference(rnn, Leaf(4, 5, 3), Leaf(5, layers * d, 4));
    }

    [Theory]
    [InlineData(Nonlinearity.Tanh)]
    [InlineData(Nonlinearity.Relu)]
    public void GradCheck_InputStateAndParameters_MatchFiniteDifferences(Nonlinearity act)
    {
        var rnn = new Rnn(2, 3, numLayers: 2, nonlinearity: act, bidirectional: true, dtype: DType.Float64, generator: new Generator(11));
        AssertGradCheck(rnn, Leaf(12, 3, 2, 2), Leaf(13, 4, 2, 3));
    }

    [Fact]
    public void Forward_OneStep_HasEqualOutputAndFinalState()
    {
        var rnn = new Rnn(2, 3, bidirectional: true, dtype: DType.Float64, generator: new Generator(14));
        var (output, hn) = rnn.Forward(Leaf(15, 1, 2, 2));
        Assert.Equal(output.Select(0, 0).Narrow(1, 0, 3).ToDoubleArray(), hn.Select(0, 0).ToDoubleArray());
        Assert.Equal(output.Select(0, 0).Narrow(1, 3, 3).ToDoubleArray(), hn.Select(0, 1).ToDoubleArray());
        AssertGradCheck(rnn, Leaf(16, 1, 2, 2));
    }

    [Fact]
    public void Names_StateDictAndRepr_ArePyTorchs()
    {
        var rnn = new Rnn(4, 3, numLayers: 2, nonlinearity: Nonlinearity.Relu, bias: false, dropout: 0.25);
        Assert.Equal(["weight_ih_l0", "weight_hh_l0", "weight_ih_l1", "weight_hh_l1"], rnn.StateDict().Keys);
        Assert.Equal([3, 4], rnn.GetParameter("weight_ih_l0").Shape.ToArray());
        Assert.Equal("RNN(4, 3, num_layers=2, bias=False, dropout=0.25)", rnn.ToString());   // PyTorch 1.13 does not show nonlinearity
        string summary = rnn.Summary(Tensor.Zeros([5, 4]), null);
        Assert.Contains("[5, 3], [2, 3]", summary);
        Assert.Contains("Total params: 39", summary);   // 3*4 + 3*3 + 3*3 + 3*3
    }

    [Fact]
    public void Dropout_BetweenLayers_IsSeededAndOnlyInTraining()
    {
        Tensor x = Tensor.Randn([6, 2, 3], generator: new Generator(22));
        Rnn Make(double p) => new(3, 4, numLayers: 3, dropout: p, generator: new Generator(23));
        Assert.Equal(Make(0.3).Forward(x).Output.ToArray<float>(), Make(0.3).Forward(x).Output.ToArray<float>());
        Assert.NotEqual(Make(0).Forward(x).Output.ToArray<float>(), Make(0.3).Forward(x).Output.ToArray<float>());
        Assert.Equal(Make(0).Forward(x).Output.ToArray<float>(), Make(0.3).Eval().Forward(x).Output.ToArray<float>());
    }

    [Fact]
    public void Constructor_BadArguments_ThrowNamingThem()
    {
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => new Rnn(3, 4, nonlinearity: Nonlinearity.Sigmoid)), "RNN", "Sigmoid", "Tanh or Relu");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => new Rnn(3, 4, numLayers: 0)), "RNN", "num_layers");
        var rnn = new Rnn(3, 4);
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => rnn.Forward(Tensor.Zeros([5, 4]))), "RNN", "[5, 4]", "input_size=3");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => rnn.Forward(Tensor.Zeros([5, 3]), Tensor.Zeros([1, 1, 4]))),
            "RNN", "h0", "[1, 4]", "got [1, 1, 4]");
    }
}
