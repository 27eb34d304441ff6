using Nabla.NN;
using static Nabla.Tests.NN.RecurrentTestKit;

namespace Nabla.Tests.NN;

/// <summary>The Lstm layer: closed forms, shapes and layouts, PyTorch's names, dropout, gradients and errors.</summary>
public class LstmTests
{
    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    [Fact]
    public void Forward_TwoStepsOneUnit_MatchesTheGateFormulas()
    {
        var lstm = new Lstm(1, 1, dtype: DType.Float64);
        double[] wih = [0.5, -0.3, 0.8, 0.1], whh = [0.2, 0.4, -0.6, 0.7], bih = [0.1, 0.2, 0.3, 0.4], bhh = [-0.1, 0.05, 0, 0.2];
        lstm.LoadStateDict(new Dictionary<string, Tensor>
        {
            ["weight_ih_l0"] = Tensor.From(wih, [4, 1], dtype: DType.Float64),
            ["weight_hh_l0"] = Tensor.From(whh, [4, 1], dtype: DType.Float64),
            ["bias_ih_l0"] = Tensor.From(bih, [4], dtype: DType.Float64),
            ["bias_hh_l0"] = Tensor.From(bhh, [4], dtype: DType.Float64),
        });
        double[] xs = [1.0, -2.0];
        double h = 0.3, c = -0.5;
        var expected = new double[2];
        for (int t = 0; t < 2; t++)
        {
            double Pre(int g) => wih[g] * xs[t] + bih[g] + whh[g] * h + bhh[g];
            double i = Sigmoid(Pre(0)), f = Sigmoid(Pre(1)), g = Math.Tanh(Pre(2)), o = Sigmoid(Pre(3));
            c = f * c + i * g;
            h = o * Math.Tanh(c);
            expected[t] = h;
        }
        var (output, (hn, cn)) = lstm.Forward(Tensor.From(xs, [2, 1, 1], dtype: DType.Float64),
            (Tensor.Full([1, 1, 1], 0.3, DType.Float64), Tensor.Full([1, 1, 1], -0.5, DType.Float64)));
        FunctionalGradCheck.AssertAll(expected, output, 1e-14, 1e-15);
        FunctionalGradCheck.AssertAll([h], hn, 1e-14, 1e-15);
        FunctionalGradCheck.AssertAll([c], cn, 1e-14, 1e-15);
    }

    [Theory]
    [InlineData(1, false, false, true)]
    [InlineData(2, true, false, true)]
    [InlineData(3, true, true, true)]
    [InlineData(2, false, true, false)]
    public void Forward_LayersDirectionsLayouts_MatchTheUnfusedCellsWithGradients(int layers, bool bidirectional, bool batchFirst, bool bias)
    {
        var lstm = new Lstm(3, 4, layers, bias, batchFirst, bidirectional: bidirectional, dtype: DType.Float64, generator: new Generator(5));
        int d = bidirectional ? 2 : 1;
        Tensor x = Leaf(1, batchFirst ? [2, 5, 3] : [5, 2, 3]);
        AssertMatchesReference(lstm, x);
        AssertMatchesReference(lstm, Leaf(2, batchFirst ? [2, 5, 3] : [5, 2, 3]), Leaf(3, layers * d, 2, 4), Leaf(4, layers * d, 2, 4));
    }

    [Fact]
    public void Forward_ShapesBidirectionalBatchFirst_FollowPyTorch()
    {
        var lstm = new Lstm(3, 4, numLayers: 2, batchFirst: true, bidirectional: true);
        var (output, (hn, cn)) = lstm.Forward(Tensor.Zeros([6, 5, 3]));
        Assert.Equal([6, 5, 8], output.Shape.ToArray());
        Assert.Equal([4, 6, 4], hn.Shape.ToArray());   // states are never batch-first
        Assert.Equal([4, 6, 4], cn.Shape.ToArray());
        Assert.True(output.IsContiguous);
    }

    [Fact]
    public void Forward_Unbatched_GivesTwoDimensionalResultsEqualToABatchOfOne()
    {
        var lstm = new Lstm(3, 4, numLayers: 2, bidirectional: true, dtype: DType.Float64, generator: new Generator(9));
        Tensor x = Leaf(6, 5, 3), h0 = Leaf(7, 4, 4), c0 = Leaf(8, 4, 4);
        var (output, (hn, cn)) = lstm.Forward(x, (h0, c0));
        Assert.Equal([5, 8], output.Shape.ToArray());
        Assert.Equal([4, 4], hn.Shape.ToArray());
        Assert.Equal([4, 4], cn.Shape.ToArray());
        var (batched, (bh, bc)) = lstm.Forward(x.Unsqueeze(1), (h0.Unsqueeze(1), c0.Unsqueeze(1)));
        Assert.Equal(batched.Squeeze(1).ToDoubleArray(), output.ToDoubleArray());
        Assert.Equal(bh.Squeeze(1).ToDoubleArray(), hn.ToDoubleArray());
        Assert.Equal(bc.Squeeze(1).ToDoubleArray(), cn.ToDoubleArray());
        AssertMatchesReference(lstm, x, h0, c0);
    }

    [Fact]
    public void GradCheck_InputStatesAndParameters_MatchFiniteDifferences()
    {
        var lstm = new Lstm(2, 3, numLayers: 2, bidirectional: true, dtype: DType.Float64, generator: new Generator(11));
        AssertGradCheck(lstm, Leaf(12, 3, 2, 2), Leaf(13, 4, 2, 3), Leaf(14, 4, 2, 3));
    }

    [Fact]
    public void Backward_OnlyTheFinalCellState_ReachesEveryLeaf()
    {
        var lstm = new Lstm(2, 3, dtype: DType.Float64, generator: new Generator(15));
        Tensor x = Leaf(16, 4, 1, 2), h0 = Leaf(17, 1, 1, 3), c0 = Leaf(18, 1, 1, 3);
        FunctionalGradCheck.AssertGradients(t => lstm.Forward(t[0], (t[1], t[2])).State.CN, x, h0, c0);
    }

    [Fact]
    public void Forward_Float32_AgreesWithFloat64()
    {
        var lstm = new Lstm(3, 5, numLayers: 2, generator: new Generator(19));
        Tensor x = Tensor.Randn([7, 3, 3], generator: new Generator(20));
        float[] single = lstm.Forward(x).Output.ToArray<float>();
        double[] dbl = lstm.To(DType.Float64).Forward(x.To(DType.Float64)).Output.ToDoubleArray();
        for (int i = 0; i < dbl.Length; i++) Assert.True(Math.Abs(single[i] - dbl[i]) < 1e-5, $"element {i}: {single[i]} vs {dbl[i]}");
    }

    [Fact]
    public void Names_StateDictReprAndSummary_ArePyTorchs()
    {
        var lstm = new Lstm(4, 3, numLayers: 2, bidirectional: true);
        string[] expected = [.. from l in new[] { "l0", "l1" } from dir in new[] { "", "_reverse" } from p in new[] { "weight_ih", "weight_hh", "bias_ih", "bias_hh" } select $"{p}_{l}{dir}"];
        Assert.Equal(expected, lstm.StateDict().Keys);
        Assert.Equal([12, 4], lstm.GetParameter("weight_ih_l0").Shape.ToArray());
        Assert.Equal([12, 6], lstm.GetParameter("weight_ih_l1_reverse").Shape.ToArray());
        Assert.Equal([12, 3], lstm.GetParameter("weight_hh_l1").Shape.ToArray());
        Assert.Equal("LSTM(4, 3, num_layers=2, bidirectional=True)", lstm.ToString());
        Assert.Equal("LSTM(4, 3, bias=False, batch_first=True, dropout=0.5)", new Lstm(4, 3, bias: false, batchFirst: true, dropout: 0.5).ToString());
        string summary = lstm.Summary(Tensor.Zeros([5, 2, 4]), null);
        Assert.Contains("Lstm", summary);
        Assert.Contains("[5, 2, 6], [4, 2, 3], [4, 2, 3]", summary);
        Assert.Contains("Total params: 480", summary);   // 2 * (12*4 + 12*3 + 24) + 2 * (12*6 + 12*3 + 24), as PyTorch counts
    }

    [Fact]
    public void Init_Parameters_AreWithinPyTorchsBound()
    {
        var lstm = new Lstm(10, 16, numLayers: 2, generator: new Generator(21));
        foreach (Tensor p in lstm.Parameters()) Assert.All(p.ToArray<float>(), v => Assert.InRange(v, -0.25f, 0.25f));
        Assert.InRange(lstm.GetParameter("weight_hh_l1").Detach().Std().Item(), 0.25 / Math.Sqrt(3) * 0.9, 0.25 / Math.Sqrt(3) * 1.1);
    }

    [Fact]
    public void Dropout_BetweenLayers_IsSeededAndOnlyInTraining()
    {
        Tensor x = Tensor.Randn([6, 2, 3], generator: new Generator(22));
        Lstm Make(double p) => new(3, 4, numLayers: 2, dropout: p, generator: new Generator(23));
        float[] a = Make(0.5).Forward(x).Output.ToArray<float>(), b = Make(0.5).Forward(x).Output.ToArray<float>();
        Assert.Equal(a, b);   // same seed, same masks
        float[] none = Make(0).Forward(x).Output.ToArray<float>();
        Assert.NotEqual(none, a);
        Assert.Equal(none, Make(0.5).Eval().Forward(x).Output.ToArray<float>());
        // One layer: there is no layer after which dropout applies.
        Assert.Equal(new Lstm(3, 4, generator: new Generator(24)).Forward(x).Output.ToArray<float>(),
            new Lstm(3, 4, dropout: 0.9, generator: new Generator(24)).Forward(x).Output.ToArray<float>());
    }

    [Fact]
    public void Backward_WithCreateGraph_ThrowsNamingTheNode()
    {
        var lstm = new Lstm(2, 3, dtype: DType.Float64);
        Tensor x = Leaf(25, 3, 1, 2);
        Tensor y = lstm.Forward(x).Output.Sum();
        var ex = Assert.Throws<InvalidOperationException>(() => Autograd.Grad([y], [x], createGraph: true));
        ErrorAssert.AssertMessage(ex, "LstmBackward", "createGraph");
    }

    [Fact]
    public void Forward_BadInputsAndStates_ThrowNamingShapes()
    {
        var lstm = new Lstm(3, 4, numLayers: 2);
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => lstm.Forward(Tensor.Zeros([5, 2, 2]))), "LSTM", "[5, 2, 2]", "input_size=3");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => lstm.Forward(Tensor.Zeros([1, 5, 2, 3]))), "LSTM", "[1, 5, 2, 3]");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => lstm.Forward(Tensor.Zeros([0, 2, 3]))), "LSTM", "at least one step");
        Tensor x = Tensor.Zeros([5, 2, 3]);
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => lstm.Forward(x, (Tensor.Zeros([1, 2, 4]), Tensor.Zeros([2, 2, 4])))),
            "LSTM", "h0", "[2, 2, 4]", "got [1, 2, 4]");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => lstm.Forward(x, (Tensor.Zeros([2, 2, 4]), Tensor.Zeros([2, 4])))),
            "LSTM", "c0", "[2, 2, 4]", "got [2, 4]");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => lstm.Forward(Tensor.Zeros([5, 3]), (Tensor.Zeros([2, 1, 4]), Tensor.Zeros([2, 1, 4])))),
            "LSTM", "h0", "expected h0 of shape [2, 4]", "got [2, 1, 4]");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => lstm.Forward(Tensor.Zeros([5, 2, 3], DType.Float64))), "LSTM", "float64", "float32");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => new Lstm(3, 0)), "LSTM", "hidden_size");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => new Lstm(3, 4, dropout: 1.5)), "LSTM", "dropout", "1.5");
    }

    private sealed class CharLstm : Module
    {
        private readonly Embedding _embed;
        private readonly Lstm _lstm;
        private readonly Linear _head;

        public CharLstm(int vocabSize, int embedDim, int hiddenSize, int numLayers)
        {
            _embed = RegisterModule("embed", new Embedding(vocabSize, embedDim, generator: new Generator(30)));
            _lstm = RegisterModule("lstm", new Lstm(embedDim, hiddenSize, numLayers, batchFirst: true, generator: new Generator(31)));
            _head = RegisterModule("head", new Linear(hiddenSize, vocabSize, generator: new Generator(32)));
        }

        protected override Tensor OnForward(Tensor tokens) => _head.Forward(_lstm.Forward(_embed.Forward(tokens)).Output);
    }

    [Fact]
    public void Forward_CharacterModelOfTheDocs_GivesLogitsPerTokenAndTrains()
    {
        // docs/ops-recurrent.md's example: embed -> batch-first LSTM -> head.
        var model = new CharLstm(vocabSize: 65, embedDim: 16, hiddenSize: 32, numLayers: 2);
        Tensor tokens = Tensor.From(new long[] { 18, 47, 56, 57, 58, 1, 15, 47 }, [2, 4]);
        Assert.Equal([2, 4, 65], model.Forward(tokens).Shape.ToArray());
        Assert.Equal("lstm.weight_ih_l1", model.NamedParameters().Select(p => p.Name).ElementAt(5));
        Tensor targets = Tensor.From(new long[] { 47, 56, 57, 58, 1, 15, 47, 18 }, [8]);
        var optimizer = new Nabla.Optim.Adam(model.Parameters(), lr: 1e-2);
        double first = 0, last = 0;
        for (int i = 0; i < 30; i++)
        {
            optimizer.ZeroGrad();
            Tensor loss = Functional.CrossEntropy(model.Forward(tokens).Reshape(-1, 65), targets);
            loss.Backward();
            optimizer.Step();
            if (i == 0) first = loss.Item();
            last = loss.Item();
        }
        Assert.True(last < first / 4, $"loss {first} -> {last}");
    }
}
