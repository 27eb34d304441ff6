using Nabla.NN;

namespace Nabla.Tests.NN;

/// <summary>ModuleList, ModuleDict, ParameterList and ParameterDict: PyTorch's names ("layers.0.weight"), edits, errors and reprs.</summary>
public class ModuleContainersTests
{
    private sealed class Net : Module
    {
        public Net()
        {
            Layers = RegisterModule("layers", new ModuleList(new Linear(2, 3), new Relu(), new Linear(3, 2)));
            Heads = RegisterModule("heads", new ModuleDict { ["a"] = new Linear(2, 1), ["b"] = new Linear(2, 4) });
            Scales = RegisterModule("scales", new ParameterList(Tensor.Ones([2]), Tensor.Ones([1])));
            Biases = RegisterModule("biases", new ParameterDict { ["x"] = Tensor.Zeros([2]) });
        }

        public ModuleList Layers { get; }

        public ModuleDict Heads { get; }

        public ParameterList Scales { get; }

        public ParameterDict Biases { get; }

        protected override Tensor OnForward(Tensor input)
        {
            Tensor x = input;
            foreach (Module layer in Layers) x = layer.Forward(x);
            return Heads["a"].Forward(x * Scales[0] + Biases["x"]);
        }
    }

    [Fact]
    public void StateDict_Containers_UsePyTorchNames()
    {
        var m = new Net();
        Assert.Equal(["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias", "heads.a.weight", "heads.a.bias",
            "heads.b.weight", "heads.b.bias", "scales.0", "scales.1", "biases.x"], m.StateDict().Keys);
        Assert.All(m.Parameters(), p => Assert.True(p.RequiresGrad));
        Assert.Equal([4, 1], m.Forward(Tensor.Ones([4, 2])).Shape.ToArray());
    }

    [Fact]
    public void ModuleList_InsertRemoveAndSet_RenumberAsPyTorch()
    {
        var list = new ModuleList(new Linear(1, 1), new Relu());
        list.Insert(1, new Tanh());
        Assert.Equal(["0", "1", "2"], list.NamedChildren().Select(c => c.Name));
        Assert.IsType<Tanh>(list[1]);
        list.RemoveAt(0);
        Assert.Equal(["0", "1"], list.NamedChildren().Select(c => c.Name));
        Assert.IsType<Relu>(list[-1]);
        list[-1] = new Sigmoid();
        Assert.IsType<Sigmoid>(list[1]);
        list.AddRange([new Identity(), new Identity()]);
        Assert.Equal(4, list.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => list[4]);
        Assert.Throws<ArgumentOutOfRangeException>(() => list.Insert(6, new Relu()));
    }

    private sealed class Pair : Module<Tensor, Tensor, Tensor>
    {
        protected override Tensor OnForward(Tensor a, Tensor b) => a + b;
    }

    [Fact]
    public void ModuleListOfT_HoldsAnyFormTyped_AndChecksTheType()
    {
        var typed = new ModuleList<Pair>(new Pair(), new Pair());
        Tensor x = Tensor.Ones([2]);
        foreach (Pair p in typed) x = p.Forward(x, x);
        Assert.Equal([4f, 4], x.ToArray<float>());
        var any = new ModuleList<ModuleBase>(new Pair(), new Linear(1, 1));
        Assert.Equal(2, any.Parameters().Count());
        var e = Assert.Throws<ArgumentException>(() => ((ModuleBase)typed).SetModule("0", new Relu()));
        ErrorAssert.AssertMessage(e, "ModuleList: module '0' is a ReLU", "holds Pairs");
    }

    [Fact]
    public void ModuleDict_AddReplaceRemove_KeepInsertionOrder()
    {
        var dict = new ModuleDict { { "enc", new Linear(2, 2) }, { "act", new Relu() } };
        dict["act"] = new Tanh();
        dict["dec"] = new Linear(2, 1);
        Assert.Equal(["enc", "act", "dec"], dict.Keys);
        Assert.IsType<Tanh>(dict["act"]);
        Assert.True(dict.Remove("enc"));
        Assert.False(dict.Remove("enc"));
        Assert.Equal(["act", "dec"], dict.Keys);
        Assert.Equal(["dec.weight", "dec.bias"], dict.StateDict().Keys);
        Assert.True(dict.ContainsKey("dec"));
        ErrorAssert.AssertMessage(Assert.Throws<KeyNotFoundException>(() => dict["enc"]), "no module named 'enc'", "'act', 'dec'");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => dict.Add("a.b", new Relu())), "invalid name 'a.b'");
        Assert.Throws<ArgumentException>(() => dict.Add("act", new Relu()));
    }

    [Fact]
    public void ParameterListAndDict_RegisterLeavesAsParameters()
    {
        Tensor computed = Tensor.Ones([2], requiresGrad: true) * 2;
        var list = new ParameterList();
        Tensor registered = list.Add(computed);
        Assert.True(registered.IsLeaf);
        Assert.True(registered.RequiresGrad);
        list[0] = Tensor.Zeros([3]);
        Assert.Equal([3], list[0].Shape.ToArray());
        Assert.Single(list.Parameters());
        var dict = new ParameterDict { ["w"] = Tensor.Zeros([2]) };
        dict["w"] = Tensor.Ones([2]);
        Assert.Equal([1f, 1], dict["w"].ToArray<float>());
        Assert.True(dict.Remove("w"));
        Assert.Empty(dict.StateDict());
    }

    [Fact]
    public void ToString_Containers_PrintAsPyTorch113()
    {
        Assert.Equal("ModuleList(\n  (0): Linear(in_features=2, out_features=2, bias=True)\n  (1): Sequential(\n    (0): ReLU()\n  )\n)",
            new ModuleList(new Linear(2, 2), new Sequential(new Relu())).ToString());
        Assert.Equal("ModuleDict(\n  (a): ReLU()\n  (b): Linear(in_features=1, out_features=1, bias=True)\n)",
            new ModuleDict { ["a"] = new Relu(), ["b"] = new Linear(1, 1) }.ToString());
        Assert.Equal("ParameterList(\n    (0): Parameter containing: [torch.float32 of size 3x4]\n    (1): Parameter containing: [torch.float64 of size 2]\n)",
            new ParameterList(Tensor.Zeros([3, 4]), Tensor.Zeros([2], DType.Float64)).ToString());
        Assert.Equal("ParameterList(  (0): Parameter containing: [torch.float32 of size ])", new ParameterList(Tensor.Scalar(1.0, DType.Float32)).ToString());
        Assert.Equal("ParameterDict(\n    (x): Parameter containing: [torch.FloatTensor of size 3]\n    (y): Parameter containing: [torch.DoubleTensor of size 1x2]\n)",
            new ParameterDict { ["x"] = Tensor.Zeros([3]), ["y"] = Tensor.Zeros([1, 2], DType.Float64) }.ToString());
        Assert.Equal("ModuleList()", new ModuleList().ToString());
        Assert.Equal("ParameterDict()", new ParameterDict().ToString());
    }
}
