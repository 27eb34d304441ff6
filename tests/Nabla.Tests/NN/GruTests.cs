using Nabla.NN;
using static Nabla.Tests.NN.RecurrentTestKit;

namespace Nabla.Tests.NN;

/// <summary>The Gru layer: closed forms (b_hn inside r*(...)), layouts, PyTorch's names, dropout, gradients and errors.</summary>
public class GruTests
{
    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    [Fact]
    public void Forward_TwoStepsOneUnit_MatchesTheGateFormulasWithTheResetGateOutsideBhn()
    {
        var gru = new Gru(1, 1, dtype: DType.Float64);
        double[] wih = [0.5, -0.3, 0.8], whh = [0.2, 0.4, -0.6], bih = [0.1, 0.2, 0.3], bhh = [-0.1, 0.05, 0.7];
        gru.LoadStateDict(new Dictionary<string, Tensor>
        {
            ["weight_ih_l0"] = Tensor.From(wih, [3, 1], dtype: DType.Float64),
            ["weight_hh_l0"] = Tensor.From(whh, [3, 1], dtype: DType.Float64),
            ["bias_ih_l0"] = Tensor.From(bih, [3], dtype: DType.Float64),
            ["bias_hh_l0"] = Tensor.From(bhh, [3], dtype: DType.Float64),
        });
        double[] xs = [1.0, -2.0];
        double h = 0.3;
        var expected = new double[2];
        for (int t = 0; t < 2; t++)
        {
            double r = Sigmoid(wih[0] * xs[t] + bih[0] + whh[0] * h + bhh[0]), z = Sigmoid(wih[1] * xs[t] + bih[1] + whh[1] * h + bhh[1]);
            double n = Math.Tanh(wih[2] * xs[t] + bih[2] + r * (whh[2] * h + bhh[2]));
            h = (1 - z) * n + z * h;
            expected[t] = h;
        }
        var (output, hn) = gru.Forward(Tensor.From(xs, [2, 1, 1], dtype: DType.Float64), Tensor.Full([1, 1, 1], 0.3, DType.Float64));
        FunctionalGradCheck.AssertAll(expected, output, 1e-14, 1e-15);
        FunctionalGradCheck.AssertAll([h], hn, 1e-14, 1e-15);
    }

    [Theory]
    [InlineData(1, false, false, true)]
    [InlineData(2, true, true, true)]
    [InlineData(2, true, false, false)]
    public void Forward_LayersDirectionsLayouts_MatchTheUnfusedCellsWithGradients(int layers, bool bidirectional, bool batchFirst, bool bias)
    {
        var gru = new Gru(3, 4, layers, bias, batchFirst, bidirectional: bidirectional, dtype: DType.Float64, generator: new Generator(5));
        int d = bidirectional ? 2 : 1;
        AssertMatchesReference(gru, Leaf(1, batchFirst ? [2, 5, 3] : [5, 2, 3]));
        AssertMatchesReference(gru, Leaf(2, batchFirst ? [2, 5, 3] : [5, 2, 3]), Leaf(3, layers * d, 2, 4));
    }

    [Fact]
    public void Forward_Unbatched_GivesTwoDimensionalResults()
    {
        var gru = new Gru(3, 4, numLayers: 2, bidirectional: true, dtype: DType.Float64, generator: new Generator(9));
        Tensor x = Leaf(6, 5, 3), h0 = Leaf(7, 4, 4);
        var (output, hn) = gru.Forward(x, h0);
        Assert.Equal([5, 8], output.Shape.ToArray());
        Assert.Equal([4, 4], hn.Shape.ToArray());
        AssertMatchesReference(gru, x, h0);
    }

    [Fact]
    public void GradCheck_InputStateAndParameters_MatchFiniteDifferences()
    {
        var gru = new Gru(2, 3, numLayers: 2, bidirectional: true, dtype: DType.Float64, generator: new Generator(11));
        AssertGradCheck(gru, Leaf(12, 3, 2, 2), Leaf(13, 4, 2, 3));
    }

    [Fact]
    public void Names_StateDictAndRepr_ArePyTorchs()
    {
        var gru = new Gru(4, 3, bidirectional: true, batchFirst: true);
        Assert.Equal(["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l0_reverse", "weight_hh_l0_reverse",
            "bias_ih_l0_reverse", "bias_hh_l0_reverse"], gru.StateDict().Keys);
        Assert.Equal([9, 4], gru.GetParameter("weight_ih_l0").Shape.ToArray());
        Assert.Equal("GRU(4, 3, batch_first=True, bidirectional=True)", gru.ToString());
        string summary = gru.Summary(Tensor.Zeros([2, 5, 4]), null);
        Assert.Contains("[2, 5, 6], [2, 2, 3]", summary);
        Assert.Contains("Total params: 162", summary);   // 2 * (9*4 + 9*3 + 18)
    }

    [Fact]
    public void Dropout_BetweenLayers_IsSeededAndOnlyInTraining()
    {
        Tensor x = Tensor.Randn([6, 2, 3], generator: new Generator(22));
        Gru Make(double p) => new(3, 4, numLayers: 2, dropout: p, generator: new Generator(23));
        Assert.Equal(Make(0.5).Forward(x).Output.ToArray<float>(), Make(0.5).Forward(x).Output.ToArray<float>());
        Assert.NotEqual(Make(0).Forward(x).Output.ToArray<float>(), Make(0.5).Forward(x).Output.ToArray<float>());
        Assert.Equal(Make(0).Forward(x).Output.ToArray<float>(), Make(0.5).Eval().Forward(x).Output.ToArray<float>());
    }

    [Fact]
    public void Forward_BadInputsAndStates_ThrowNamingShapes()
    {
        var gru = new Gru(3, 4, bidirectional: true);
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => gru.Forward(Tensor.Zeros([5, 2, 7]))), "GRU", "[5, 2, 7]", "input_size=3");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => gru.Forward(Tensor.Zeros([5]))), "GRU", "[5]");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => gru.Forward(Tensor.Zeros([5, 2, 3]), Tensor.Zeros([1, 2, 4]))),
            "GRU", "h0", "[2, 2, 4]", "got [1, 2, 4]");
    }
}
