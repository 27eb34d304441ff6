using Nabla.NN;

namespace Nabla.Tests.NN;

/// <summary>
/// Modules print as PyTorch 1.13 prints them; every expected string below is <c>print(torch.nn.X(...))</c>'s output.
/// </summary>
public class ModuleReprTests
{
    public static TheoryData<string, Func<ModuleBase>> Modules() => new()
    {
        { "ReLU()", () => new Relu() },
        { "Tanh()", () => new Tanh() },
        { "Sigmoid()", () => new Sigmoid() },
        { "Softmax(dim=-1)", () => new Softmax() },
        { "LogSoftmax(dim=1)", () => new LogSoftmax(1) },
        { "GELU(approximate='none')", () => new Gelu() },
        { "GELU(approximate='tanh')", () => new Gelu(GeluApproximation.Tanh) },
        { "SiLU()", () => new Silu() },
        { "LeakyReLU(negative_slope=0.01)", () => new LeakyRelu() },
        { "LeakyReLU(negative_slope=0.2)", () => new LeakyRelu(0.2) },
        { "ELU(alpha=1.0)", () => new Elu() },
        { "ELU(alpha=0.5)", () => new Elu(0.5) },
        { "Softplus(beta=1, threshold=20)", () => new Softplus() },
        { "Softplus(beta=0.5, threshold=10)", () => new Softplus(0.5, 10) },
        { "Linear(in_features=4, out_features=2, bias=True)", () => new Linear(4, 2) },
        { "Linear(in_features=4, out_features=2, bias=False)", () => new Linear(4, 2, bias: false) },
        { "Embedding(65, 64)", () => new Embedding(65, 64) },
        { "Embedding(65, 64, padding_idx=0)", () => new Embedding(65, 64, paddingIdx: 0) },
        { "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1))", () => new Conv2d(1, 8, 3) },
        { "Conv2d(1, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)", () => new Conv2d(1, 8, 3, stride: 2, padding: 1, bias: false) },
        { "Conv2d(4, 8, kernel_size=(3, 5), stride=(1, 1), dilation=(2, 2), groups=2)", () => new Conv2d(4, 8, [3, 5], dilation: [2], groups: 2) },
        { "Conv1d(1, 8, kernel_size=(3,), stride=(1,))", () => new Conv1d(1, 8, 3) },
        { "Conv1d(2, 8, kernel_size=(3,), stride=(2,), padding=(1,), dilation=(2,), groups=2, bias=False)", () => new Conv1d(2, 8, 3, 2, 1, 2, 2, bias: false) },
        { "BatchNorm1d(8, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", () => new BatchNorm1d(8) },
        { "BatchNorm2d(8, eps=0.001, momentum=0.01, affine=True, track_running_stats=True)", () => new BatchNorm2d(8, 1e-3, 0.01) },
        { "LayerNorm((64,), eps=1e-05, elementwise_affine=True)", () => new LayerNorm(64) },
        { "LayerNorm((4, 5), eps=1e-05, elementwise_affine=False)", () => new LayerNorm([4, 5], elementwiseAffine: false) },
        { "LayerNorm((64,), eps=1e-06, elementwise_affine=True)", () => new LayerNorm(64, 1e-6) },
        { "Dropout(p=0.5, inplace=False)", () => new Dropout() },
        { "Dropout(p=0.1, inplace=False)", () => new Dropout(0.1) },
        { "Flatten(start_dim=1, end_dim=-1)", () => new Flatten() },
        { "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)", () => new MaxPool2d(2) },
        { "MaxPool2d(kernel_size=3, stride=2, padding=0, dilation=1, ceil_mode=False)", () => new MaxPool2d(3, 2) },
        { "MaxPool2d(kernel_size=(2, 3), stride=(2, 3), padding=0, dilation=1, ceil_mode=False)", () => new MaxPool2d([2, 3]) },
        { "AvgPool2d(kernel_size=2, stride=2, padding=0)", () => new AvgPool2d(2) },
        { "AvgPool2d(kernel_size=(2, 3), stride=1, padding=1)", () => new AvgPool2d([2, 3], [1], [1], ceilMode: true, countIncludePad: false) },
        { "AdaptiveAvgPool2d(output_size=(1, 1))", () => new AdaptiveAvgPool2d([1, 1]) },
        { "AdaptiveAvgPool2d(output_size=1)", () => new AdaptiveAvgPool2d([1]) },
        { "Identity()", () => new Identity() },
        { "Sequential()", () => new Sequential() },
        { "Sequential(\n  (0): Linear(in_features=4, out_features=2, bias=True)\n  (1): ReLU()\n)", () => new Sequential(new Linear(4, 2), new Relu()) },
    };

    [Theory]
    [MemberData(nameof(Modules))]
    public void ToString_EachModule_PrintsAsPyTorch113(string expected, Func<ModuleBase> create) => Assert.Equal(expected, create().ToString());

    private sealed class Custom : Module
    {
        public Custom()
        {
            RegisterModule("encoder", new Sequential(new Linear(2, 2), new LeakyRelu()));
            RegisterModule("head", new Linear(2, 1));
        }

        protected override Tensor OnForward(Tensor input) => input;

        protected override string ExtraRepr() => "depth=2";
    }

    private sealed class Relu2 : Module
    {
        protected override Tensor OnForward(Tensor input) => input.Relu();
    }

    [Fact]
    public void ToString_UserModule_KeepsItsNameAndPrintsExtraLinesBeforeIndentedChildren()
    {
        Assert.Equal("Custom(\n  depth=2\n  (encoder): Sequential(\n    (0): Linear(in_features=2, out_features=2, bias=True)\n" +
            "    (1): LeakyReLU(negative_slope=0.01)\n  )\n  (head): Linear(in_features=2, out_features=1, bias=True)\n)", new Custom().ToString());
        Assert.Equal("Relu2()", new Relu2().ToString());
    }

    [Fact]
    public void ToString_FusedModules_UsePyTorchCasing()
    {
        var model = new Sequential(new Linear(3, 4), new Relu(), new Conv2d(1, 2, 3), new Relu()).Fuse();
        Assert.Equal("Sequential(\n  (0): LinearReLU(in_features=3, out_features=4, bias=True)\n  (1): Identity()\n" +
            "  (2): Conv2dReLU(1, 2, kernel_size=(3, 3), stride=(1, 1))\n  (3): Identity()\n)", model.ToString());
    }

    [Theory]
    [InlineData(1e-5, "1e-05")]
    [InlineData(1e-4, "0.0001")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(123456789012345678.0, "1.2345678901234568e+17")]
    [InlineData(0.1, "0.1")]
    [InlineData(1.0, "1.0")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(0.0, "0.0")]
    [InlineData(2.5e-7, "2.5e-07")]
    [InlineData(1.5e300, "1.5e+300")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NaN, "nan")]
    [InlineData(100.0, "100.0")]
    [InlineData(1050.5, "1050.5")]
    [InlineData(0.0105, "0.0105")]
    [InlineData(0.30000000000000004, "0.30000000000000004")]
    [InlineData(-2.5, "-2.5")]
    public void Float_PythonRepr_MatchesPython(double value, string expected) => Assert.Equal(expected, PyRepr.Float(value));
}
