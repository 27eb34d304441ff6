using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Tests.NN;

/// <summary>
/// Tied weights (nanoGPT's <c>lm_head.weight = wte.weight</c>): each tensor once in Parameters() (the first name wins, as
/// PyTorch), both names in the state dict, gradients summed over both uses, and Adam and gradient clipping on the model.
/// </summary>
public class WeightTyingTests
{
    private const int Vocab = 7, Dim = 5;

    private sealed class TiedLm : Module
    {
        public TiedLm(bool tie = true)
        {
            Embed = RegisterModule("embed", new Embedding(Vocab, Dim, dtype: DType.Float64, generator: new Generator(1)));
            Hidden = RegisterModule("hidden", new Linear(Dim, Dim, dtype: DType.Float64, generator: new Generator(2)));
            Head = RegisterModule("head", new Linear(Dim, Vocab, bias: false, dtype: DType.Float64, generator: new Generator(3)));
            if (tie) Head.Weight = Embed.Weight;
        }

        public Embedding Embed { get; }

        public Linear Hidden { get; }

        public Linear Head { get; }

        protected override Tensor OnForward(Tensor input) => Head.Forward(Hidden.Forward(Embed.Forward(input)).Tanh());
    }

    private static readonly Tensor Tokens = Tensor.From(new long[] { 0, 1, 2, 3, 4, 5, 6, 0 });
    private static readonly Tensor Next = Tensor.From(new long[] { 1, 2, 3, 4, 5, 6, 0, 1 });

    private static Tensor Loss(Module model) => Functional.CrossEntropy(model.Forward(Tokens), Next);

    [Fact]
    public void Parameters_TiedWeight_AppearsOnceUnderItsFirstName_StateDictKeepsBoth()
    {
        var model = new TiedLm();
        Assert.Equal(["embed.weight", "hidden.weight", "hidden.bias"], model.NamedParameters().Select(p => p.Name));
        Assert.Equal(Vocab * Dim + Dim * Dim + Dim, model.ParameterCount());
        var state = model.StateDict();
        Assert.Equal(["embed.weight", "hidden.weight", "hidden.bias", "head.weight"], state.Keys);
        Assert.Same(state["embed.weight"], state["head.weight"]);
        Assert.Same(model.Embed.Weight, model.Head.Weight);
    }

    [Fact]
    public void Backward_TiedWeight_GradientIsTheSumOfBothUses()
    {
        var tied = new TiedLm();
        var untied = new TiedLm(tie: false);
        using (Autograd.NoGrad())
        {
            untied.Head.Weight.CopyFrom(tied.Embed.Weight);
            untied.Embed.Weight.CopyFrom(tied.Embed.Weight);
        }
        Loss(tied).Backward();
        Loss(untied).Backward();
        double[] sum = (untied.Embed.Weight.Grad! + untied.Head.Weight.Grad!).ToArray<double>();
        double[] got = tied.Embed.Weight.Grad!.ToArray<double>();
        for (int i = 0; i < sum.Length; i++) Assert.Equal(sum[i], got[i], 12);
        Assert.NotEqual(untied.Embed.Weight.Grad!.ToArray<double>(), got);
    }

    [Fact]
    public void Train_TiedModelWithAdamAndGradClip_LearnsAndStaysTied()
    {
        var model = new TiedLm();
        var optimizer = new Adam(model.Parameters(), lr: 0.05);
        double first = Loss(model).Item(), last = first;
        for (int step = 0; step < 150; step++)
        {
            optimizer.ZeroGrad();
            Tensor loss = Loss(model);
            loss.Backward();
            double unique = Math.Sqrt(model.Parameters().Sum(p => p.Grad!.Pow(2).Sum().Item()));
            double norm = GradClip.ClipGradNorm(model.Parameters(), maxNorm: 1.0);
            Assert.Equal(unique, norm, 9);   // each tensor counted once
            optimizer.Step();
            last = loss.Item();
        }
        Assert.True(last < 0.2 * first, $"loss {first} -> {last}");
        Assert.Same(model.Embed.Weight, model.Head.Weight);
        Assert.Same(model.Embed.Weight, model.StateDict()["head.weight"]);
    }

    [Fact]
    public void LoadStateDict_TiedTensorGivenUnderOneName_LoadsAndReportsNothingMissing()
    {
        var source = new TiedLm();
        var target = new TiedLm();
        using (Autograd.NoGrad()) source.Embed.Weight.MulInPlace(2);
        var state = source.StateDict().Where(p => p.Key != "head.weight").ToDictionary(p => p.Key, p => p.Value);
        IncompatibleKeys result = target.LoadStateDict(state);
        Assert.True(result.IsEmpty, result.ToString());
        Assert.Equal(source.Embed.Weight.ToArray<double>(), target.Head.Weight.ToArray<double>());
        target.LoadStateDict(source.StateDict());
    }

    [Fact]
    public void LoadStateDict_TiedNamesWithDifferentValues_ThrowsNamingBoth()
    {
        var model = new TiedLm();
        var state = model.StateDict().ToDictionary(p => p.Key, p => p.Value.Clone());
        state["head.weight"] = Tensor.Zeros([Vocab, Dim], DType.Float64);
        var e = Assert.Throws<ArgumentException>(() => model.LoadStateDict(state));
        ErrorAssert.AssertMessage(e, "'embed.weight' and 'head.weight' name one tied tensor", "different values");
    }

    [Fact]
    public void SetParameter_DottedPath_TiesAndTheSettersCheckShapes()
    {
        var model = new TiedLm(tie: false);
        model.SetParameter("head.weight", model.GetParameter("embed.weight"));
        Assert.Same(model.Embed.Weight, model.Head.Weight);
        Assert.Equal(3, model.Parameters().Count());
        var e = Assert.Throws<ArgumentException>(() => model.Hidden.Weight = model.Embed.Weight);
        ErrorAssert.AssertMessage(e, "Linear: the weight must have shape [5, 5]", "got [7, 5]");
        Assert.Throws<ArgumentException>(() => model.SetParameter("head.weight", model.Embed.Weight * 2));
    }
}
