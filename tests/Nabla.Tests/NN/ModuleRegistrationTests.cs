using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Tests.NN;

/// <summary>
/// Registration a user cannot get wrong (Note [Module registration]): an unregistered module or trainable tensor in a
/// field is an error at first use, assigning a registered field re-registers, SetModule writes the fields.
/// </summary>
public class ModuleRegistrationTests
{
    /// <summary>A classifier with a replaceable head, as a torchvision model with its <c>fc</c>.</summary>
    private sealed class Classifier : Module
    {
        public Classifier()
        {
            Backbone = RegisterModule("backbone", new Linear(4, 8, dtype: DType.Float64, generator: new Generator(1)));
            Fc = RegisterModule("fc", new Linear(8, 3, dtype: DType.Float64, generator: new Generator(2)));
        }

        public Linear Backbone { get; }

        public Linear Fc { get; set; }

        protected override Tensor OnForward(Tensor input) => Fc.Forward(Backbone.Forward(input).Relu());
    }

    /// <summary>Holds a Linear in a field but forgot RegisterModule.</summary>
    private sealed class Forgetful : Module
    {
        private readonly Linear _hidden = new(3, 4, dtype: DType.Float64);
        private readonly Linear _out;

        public Forgetful() => _out = RegisterModule("out", new Linear(4, 2, dtype: DType.Float64));

        protected override Tensor OnForward(Tensor input) => _out.Forward(_hidden.Forward(input));
    }

    private sealed class ForgottenTensor : Module
    {
        private readonly Tensor _scale = Tensor.Ones([3], DType.Float64, requiresGrad: true);
        private readonly Tensor _mask = Tensor.Ones([3], DType.Float64);

        protected override Tensor OnForward(Tensor input) => input * _scale * _mask;
    }

    private sealed class ListOfLayers : Module
    {
        private readonly List<Linear> _layers = [new Linear(2, 2), new Linear(2, 2)];

        protected override Tensor OnForward(Tensor input) => _layers.Aggregate(input, (x, l) => l.Forward(x));
    }

    private sealed class SharedReference : Module
    {
        [NotRegistered] private readonly Linear _other;

        public SharedReference(Linear other) => _other = other;

        protected override Tensor OnForward(Tensor input) => _other.Forward(input);
    }

    private static Tensor X() => Tensor.Randn([5, 4], DType.Float64, new Generator(3));

    [Fact]
    public void Parameters_ModuleInFieldNotRegistered_ThrowsNamingTheFieldAndTheFix()
    {
        var m = new Forgetful();
        var e = Assert.Throws<InvalidOperationException>(() => m.Parameters().ToList());
        ErrorAssert.AssertMessage(e, "Forgetful's field '_hidden' holds a Linear that is not registered", "would not be trained, saved",
            "_hidden = RegisterModule(\"hidden\", ...)", "[NotRegistered]");
    }

    [Fact]
    public void Forward_ModuleInFieldNotRegistered_ThrowsAtFirstUse()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new Forgetful().Forward(Tensor.Ones([1, 3], DType.Float64)));
        Assert.Contains("'_hidden'", e.Message);
        Assert.Throws<InvalidOperationException>(() => new Forgetful().StateDict());
        Assert.Throws<InvalidOperationException>(() => new Forgetful().Eval());
    }

    [Fact]
    public void Parameters_TrainableTensorInFieldNotRegistered_ThrowsButAConstantTensorIsFine()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new ForgottenTensor().Forward(Tensor.Ones([3], DType.Float64)));
        ErrorAssert.AssertMessage(e, "field '_scale' holds a trainable tensor of shape [3]", "RegisterParameter(\"scale\", ...)");
        Assert.DoesNotContain("_mask", e.Message);
    }

    [Fact]
    public void Parameters_ListOfModulesInField_ThrowsSuggestingModuleList()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new ListOfLayers().Parameters().ToList());
        ErrorAssert.AssertMessage(e, "field '_layers' holds a collection of modules", "ModuleList");
    }

    [Fact]
    public void Parameters_NotRegisteredAttribute_LeavesTheReferenceAlone()
    {
        var shared = new Linear(2, 2);
        var m = new SharedReference(shared);
        Assert.Empty(m.Parameters());
        Assert.Equal(new Shape(1, 2), m.Forward(Tensor.Ones([1, 2])).Shape);
    }

    [Fact]
    public void AssignProperty_ReplacesTheHead_ParametersStateDictAndTrainingFollow()
    {
        var model = new Classifier();
        Linear oldFc = model.Fc;
        string[] names = [.. model.StateDict().Keys];
        model.Fc = new Linear(8, 5, dtype: DType.Float64, generator: new Generator(4));

        Assert.Equal(names, model.StateDict().Keys);
        Assert.Same(model.Fc.Weight, model.StateDict()["fc.weight"]);
        Assert.Same(model.Fc, model.GetSubmodule("fc"));
        Assert.DoesNotContain(model.Parameters(), p => ReferenceEquals(p, oldFc.Weight));
        Assert.Equal(4 * 8 + 8 + 8 * 5 + 5, model.ParameterCount());

        // Fine-tuning: freeze the backbone, train the new head.
        model.Backbone.RequiresGrad(false);
        var optimizer = new Sgd(model.Parameters(), lr: 0.1);
        Tensor before = model.Fc.Weight.Clone(), backbone = model.Backbone.Weight.Clone();
        Functional.CrossEntropy(model.Forward(X()), Tensor.From(new long[] { 0, 1, 2, 3, 4 })).Backward();
        optimizer.Step();
        Assert.NotEqual(before.ToArray<double>(), model.Fc.Weight.ToArray<double>());
        Assert.Equal(backbone.ToArray<double>(), model.Backbone.Weight.ToArray<double>());
    }

    [Fact]
    public void SetModule_ReplacesTheRegistrationAndTheFieldForwardReads()
    {
        var model = new Classifier();
        var head = new Linear(8, 2, dtype: DType.Float64);
        model.SetModule("fc", head);
        Assert.Same(head, model.Fc);
        Assert.Equal([5, 2], model.Forward(X()).Shape.ToArray());
        Assert.Same(head.Bias, model.GetParameter("fc.bias"));
    }

    [Fact]
    public void SetModule_DottedPathInASequential_ReplacesTheLayerInPlace()
    {
        var model = new Sequential(new Sequential(new Linear(4, 4), new Relu()), new Linear(4, 2));
        var replacement = new Tanh();
        model.SetModule("0.1", replacement);
        Assert.Same(replacement, ((Sequential)model[0])[1]);
        Assert.Equal(["0.0.weight", "0.0.bias", "1.weight", "1.bias"], model.StateDict().Keys);
        Assert.Equal(Tensor.Ones([1, 4]).Tanh().ToArray<float>(), ((Sequential)model[0])[1].Forward(Tensor.Ones([1, 4])).ToArray<float>());
    }

    [Fact]
    public void SetModule_FieldOfAnotherType_ThrowsNamingFieldAndTypes()
    {
        var model = new Classifier();
        var e = Assert.Throws<ArgumentException>(() => model.SetModule("fc", new Relu()));
        ErrorAssert.AssertMessage(e, "SetModule", "Classifier.fc is held in property 'Fc' of type Linear", "ReLU");
        Assert.IsType<Linear>(model.GetSubmodule("fc"));
    }

    [Fact]
    public void SetModule_NewName_AddsAModule_AndCyclesAreRefused()
    {
        var model = new Sequential(new Linear(2, 2));
        model.SetModule("extra", new Identity());
        Assert.Equal(["", "0", "extra"], model.NamedModules().Select(m => m.Name));
        var outer = new Sequential(model);
        var e = Assert.Throws<ArgumentException>(() => model.SetModule("loop", outer));
        Assert.Contains("cycle", e.Message);
        Assert.Throws<ArgumentException>(() => model.SetModule("0.weight", new Relu()));
    }

    [Fact]
    public void GetSubmodule_UnknownName_ListsTheNamesThatExist()
    {
        var e = Assert.Throws<ArgumentException>(() => new Classifier().GetSubmodule("head"));
        ErrorAssert.AssertMessage(e, "no submodule 'head'", "'backbone', 'fc'");
    }

    [Fact]
    public void Sequential_SetIndexer_ReplacesTheModuleTheForwardRuns()
    {
        var seq = new Sequential(new Linear(3, 3), new Relu());
        seq[1] = new Tanh();
        Tensor x = Tensor.Randn([2, 3], generator: new Generator(5));
        Assert.Equal(seq[0].Forward(x).Tanh().ToArray<float>(), seq.Forward(x).ToArray<float>());
        Assert.Throws<ArgumentOutOfRangeException>(() => seq[2]);
    }

    [Fact]
    public void RegisterModule_RegisteredInConstructor_KeepsPyTorchNamesAndOrder()
    {
        var block = new ResidualBlock(2, 4, stride: 2);
        Assert.Equal(["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
            "conv2.weight", "bn2.weight", "bn2.bias", "bn2.running_mean", "bn2.running_var", "bn2.num_batches_tracked",
            "shortcut.0.weight", "shortcut.1.weight", "shortcut.1.bias", "shortcut.1.running_mean", "shortcut.1.running_var",
            "shortcut.1.num_batches_tracked"], block.StateDict().Keys);
    }
}
