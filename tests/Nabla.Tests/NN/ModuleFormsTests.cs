using Nabla.NN;

namespace Nabla.Tests.NN;

/// <summary>
/// Modules with several inputs and outputs (Note [Module forms]): typed forward and hooks, Summary, state dicts and
/// fusion below them, and the untyped entry points that check what they are given.
/// </summary>
public class ModuleFormsTests
{
    /// <summary>Two inputs: <c>left(a) * gate + right(b)</c>, with a parameter of its own and a fusable child.</summary>
    private sealed class Mix : Module<Tensor, Tensor, Tensor>
    {
        public Mix()
        {
            Left = RegisterModule("left", new Sequential(new Linear(3, 4, dtype: DType.Float64, generator: new Generator(1)), new Relu()));
            Right = RegisterModule("right", new Linear(2, 4, dtype: DType.Float64, generator: new Generator(2)));
            Gate = RegisterParameter("gate", Tensor.Full([4], 0.5, DType.Float64));
        }

        public Sequential Left { get; }

        public Linear Right { get; }

        public Tensor Gate { get; }

        protected override Tensor OnForward(Tensor a, Tensor b) => Left.Forward(a) * Gate + Right.Forward(b);
    }

    /// <summary>One input, two outputs.</summary>
    private sealed class Split : Module<Tensor, (Tensor Low, Tensor High)>
    {
        protected override (Tensor Low, Tensor High) OnForward(Tensor input) => (input.Narrow(-1, 0, 2), input.Narrow(-1, 2, 2));
    }

    /// <summary>Three inputs, one of them not a tensor.</summary>
    private sealed class Scale : Module<Tensor, Tensor?, double, Tensor>
    {
        protected override Tensor OnForward(Tensor x, Tensor? mask, double factor) => (mask is null ? x : x * mask) * factor;
    }

    private sealed class Net : Module
    {
        private readonly Mix _mix;
        private readonly Linear _head;

        public Net()
        {
            _mix = RegisterModule("mix", new Mix());
            _head = RegisterModule("head", new Linear(4, 2, dtype: DType.Float64, generator: new Generator(3)));
        }

        protected override Tensor OnForward(Tensor input) => _head.Forward(_mix.Forward(input.Narrow(1, 0, 3), input.Narrow(1, 3, 2)));
    }

    private static (Tensor A, Tensor B) Inputs() => (Tensor.Randn([5, 3], DType.Float64, new Generator(4)), Tensor.Randn([5, 2], DType.Float64, new Generator(5)));

    [Fact]
    public void Forward_TwoInputs_ComputesTheTypedForward()
    {
        var mix = new Mix();
        var (a, b) = Inputs();
        Tensor expected = mix.Left.Forward(a) * 0.5 + mix.Right.Forward(b);
        Assert.Equal(expected.ToArray<double>(), mix.Forward(a, b).ToArray<double>());
    }

    [Fact]
    public void Forward_TupleResultAndNonTensorInputs_AreTyped()
    {
        var (low, high) = new Split().Forward(Tensor.From(new double[] { 1, 2, 3, 4 }, [1, 4], dtype: DType.Float64));
        Assert.Equal([1.0, 2], low.ToArray<double>());
        Assert.Equal([3.0, 4], high.ToArray<double>());
        var x = Tensor.From(new double[] { 1, 2 }, dtype: DType.Float64);
        Assert.Equal([2.0, 4], new Scale().Forward(x, null, 2).ToArray<double>());
        Assert.Equal([0.0, 4], new Scale().Forward(x, Tensor.From(new double[] { 0, 1 }, dtype: DType.Float64), 2).ToArray<double>());
    }

    [Fact]
    public void Hooks_TwoInputs_PreAndForwardHooksSeeTypedArguments()
    {
        var mix = new Mix();
        var (a, b) = Inputs();
        var seen = new List<string>();
        using (mix.RegisterForwardPreHook((m, x, y) => seen.Add($"pre {x.Shape} {y.Shape}")))
        using (mix.RegisterForwardHook((m, x, y, output) => seen.Add($"post {x.Shape} {y.Shape} -> {output.Shape} {ReferenceEquals(m, mix)}")))
        using (((ModuleBase)mix).RegisterForwardHook((m, inputs, output) => seen.Add($"untyped {inputs.Count} {((Tensor)output!).Shape}")))
            mix.Forward(a, b);
        mix.Forward(a, b);
        Assert.Equal(["pre [5, 3] [5, 2]", "post [5, 3] [5, 2] -> [5, 4] True", "untyped 2 [5, 4]"], seen);
    }

    [Fact]
    public void Hooks_TupleResult_ForwardHookSeesBothOutputs()
    {
        var split = new Split();
        (Tensor, Tensor)? seen = null;
        using var hook = split.RegisterForwardHook((_, _, result) => seen = result);
        var (low, high) = split.Forward(Tensor.Zeros([3, 4]));
        Assert.Same(low, seen!.Value.Item1);
        Assert.Same(high, seen.Value.Item2);
    }

    [Fact]
    public void StateDict_TwoInputModuleInsideAModel_UsesDottedNames()
    {
        Assert.Equal(["mix.gate", "mix.left.0.weight", "mix.left.0.bias", "mix.right.weight", "mix.right.bias", "head.weight", "head.bias"],
            new Net().StateDict().Keys);
        Assert.Equal(["gate", "left.0.weight", "left.0.bias", "right.weight", "right.bias"], new Mix().NamedParameters().Select(p => p.Name));
    }

    [Fact]
    public void Fuse_BelowATwoInputModule_FusesTheChildSequentialWithSameValues()
    {
        var mix = new Mix();
        var (a, b) = Inputs();
        double[] before = mix.Forward(a, b).ToArray<double>();
        Assert.Same(mix, mix.Fuse());
        Assert.IsType<LinearRelu>(mix.Left[0]);
        Assert.Equal(before, mix.Forward(a, b).ToArray<double>());
        Assert.Equal(["gate", "left.0.weight", "left.0.bias", "right.weight", "right.bias"], mix.StateDict().Keys);
    }

    [Fact]
    public void Summary_TwoInputModule_ListsItAndItsChildrenWithShapes()
    {
        var (a, b) = Inputs();
        string s = new Mix().Summary(a, b);
        Assert.Contains("Sequential (left)", s);
        Assert.Contains("  Linear (left.0)", s);
        Assert.Contains("Linear (right)", s);
        Assert.Contains("[5, 4]", s);
        Assert.Contains("Total params: 32", s);   // gate 4, left.0 3*4 + 4, right 2*4 + 4
    }

    [Fact]
    public void Summary_TwoInputModuleInsideAModel_ShowsItsRowBeforeItsChildren()
    {
        string[] lines = new Net().Summary([5, 5], DType.Float64).Split('\n');
        int mix = Array.FindIndex(lines, l => l.StartsWith("Mix (mix)", StringComparison.Ordinal));
        int left = Array.FindIndex(lines, l => l.StartsWith("  Sequential (mix.left)", StringComparison.Ordinal));
        int head = Array.FindIndex(lines, l => l.StartsWith("Linear (head)", StringComparison.Ordinal));
        Assert.True(mix >= 0 && left > mix && head > left, string.Join("\n", lines));
        Assert.Contains("[5, 4]", lines[mix]);
        Assert.EndsWith(" 4", lines[mix].TrimEnd());       // its own parameter: gate
        Assert.Contains("[5, 2]", lines[head]);
    }

    [Fact]
    public void Summary_TupleResult_ShowsEveryOutputShape()
    {
        string s = new SplitHolder().Summary([3, 4]);
        Assert.Contains("Split (split)", s);
        Assert.Contains("[3, 2], [3, 2]", s);
    }

    private sealed class SplitHolder : Module
    {
        private readonly Split _split;

        public SplitHolder() => _split = RegisterModule("split", new Split());

        protected override Tensor OnForward(Tensor input)
        {
            var (low, high) = _split.Forward(input);
            return low + high;
        }
    }

    [Fact]
    public void Summary_WrongInputs_ThrowNamingTheSignature()
    {
        var (a, _) = Inputs();
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => new Mix().Summary(a)), "Summary: Mix's forward takes 2 inputs (Tensor, Tensor), got 1");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => new Mix().Summary(a, 3.0)), "input 1 of Mix's forward is a Tensor, got Double");
        ErrorAssert.AssertMessage(Assert.Throws<InvalidOperationException>(() => new ModuleList().Summary(a)), "ModuleList has no forward of its own");
        Assert.Contains("[4]", new Scale().Summary(Tensor.Zeros([4]), null, 2.0));
    }

    [Fact]
    public void Sequential_TwoInputModule_IsRefusedWhenAdded()
    {
        var seq = new Sequential(new Linear(2, 2));
        var e = Assert.Throws<ArgumentException>(() => seq.SetModule("1", new Mix()));
        ErrorAssert.AssertMessage(e, "Sequential: module '1' is a Mix", "not Tensor -> Tensor");
    }

    [Fact]
    public void TrainEval_ReachesModulesBelowATwoInputModule()
    {
        var net = new Net().Eval();
        Assert.All(net.Modules(), m => Assert.False(m.IsTraining));
        Assert.IsType<Net>(net);
    }
}
