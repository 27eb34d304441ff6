using Nabla.NN;
using static Nabla.Tests.FunctionalGradCheck;

namespace Nabla.Tests.NN;

/// <summary>
/// TransformerEncoderLayer and TransformerEncoder (NN/TransformerEncoderLayer.cs, NN/TransformerEncoder.cs): the block
/// order of post-norm and pre-norm, masks reaching the self-attention, dropout, names, deep copies and Summary.
/// </summary>
public class TransformerEncoderLayerTests
{
    private static TransformerEncoderLayer Layer(bool normFirst = false, TransformerActivation activation = TransformerActivation.Relu, double dropout = 0)
    {
        var layer = new TransformerEncoderLayer(4, 2, 6, dropout, activation, 1e-5, batchFirst: true, normFirst: normFirst, dtype: DType.Float64, generator: new Generator(5));
        using (Autograd.NoGrad())
            foreach (Tensor p in layer.Parameters()) p.CopyFrom(Randn(40 + (ulong)p.Numel, p.Shape.ToArray()) * 0.5);
        return layer;
    }

    private static Tensor Sa(TransformerEncoderLayer m, Tensor x, Tensor? mask = null) => m.SelfAttn.Forward(x, x, x, needWeights: false, attnMask: mask).Output;

    private static Tensor Ff(TransformerEncoderLayer m, Tensor x, bool gelu) =>
        m.Linear2.Forward(gelu ? Functional.Gelu(m.Linear1.Forward(x)) : m.Linear1.Forward(x).Relu());

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Forward_MatchesTheBlockOrder(bool normFirst, bool gelu)
    {
        TransformerEncoderLayer m = Layer(normFirst, gelu ? TransformerActivation.Gelu : TransformerActivation.Relu);
        Tensor x = Randn(1, 2, 3, 4);
        Tensor expected;
        if (normFirst)
        {
            Tensor h = x + Sa(m, m.Norm1.Forward(x));
            expected = h + Ff(m, m.Norm2.Forward(h), gelu);
        }
        else
        {
            Tensor h = m.Norm1.Forward(x + Sa(m, x));
            expected = m.Norm2.Forward(h + Ff(m, h, gelu));
        }
        AssertAll(expected.ToDoubleArray(), m.Forward(x));
    }

    [Fact]
    public void Forward_CausalMask_LaterPositionsDoNotChangeEarlierOutputs()
    {
        TransformerEncoderLayer m = Layer();
        Tensor causal = Tensor.From([false, true, true, false, false, true, false, false, false], [3, 3]);
        Tensor x = Randn(2, 1, 3, 4), y = x.Clone();
        using (Autograd.NoGrad()) y.Select(1, 2).CopyFrom(Randn(3, 1, 4));
        AssertAll(m.Forward(x, causal).Narrow(1, 0, 2).ToDoubleArray(), m.Forward(y, causal).Narrow(1, 0, 2));
        Assert.NotEqual(m.Forward(x).Narrow(1, 0, 2).ToDoubleArray(), m.Forward(y).Narrow(1, 0, 2).ToDoubleArray());
    }

    [Fact]
    public void Forward_KeyPaddingMask_PaddedPositionsDoNotChangeOthers()
    {
        TransformerEncoderLayer m = Layer(normFirst: true);
        Tensor padding = Tensor.From([false, false, true], [1, 3]);
        Tensor x = Randn(4, 1, 3, 4), y = x.Clone();
        using (Autograd.NoGrad()) y.Select(1, 2).CopyFrom(Randn(5, 1, 4));
        AssertAll(m.Forward(x, srcKeyPaddingMask: padding).Narrow(1, 0, 2).ToDoubleArray(), m.Forward(y, srcKeyPaddingMask: padding).Narrow(1, 0, 2));
    }

    [Fact]
    public void Forward_Gradients_MatchFiniteDifferences()
    {
        TransformerEncoderLayer m = Layer(normFirst: true, TransformerActivation.Gelu);
        Tensor mask = Tensor.From([0.0, -1e9, 0.5, 0], [2, 2], dtype: DType.Float64);
        AssertGradients(x => m.Forward(x[0], mask), Param(6, 2, 2, 4));
    }

    [Fact]
    public void Forward_Dropout_OnlyInTraining()
    {
        TransformerEncoderLayer m = Layer(dropout: 0.3);
        Tensor x = Randn(7, 2, 3, 4);
        Assert.NotEqual(m.Forward(x).ToDoubleArray(), m.Forward(x).ToDoubleArray());
        m.Eval();
        AssertAll(m.Forward(x).ToDoubleArray(), m.Forward(x), rtol: 0, atol: 0);
    }

    [Fact]
    public void StateDict_HasPyTorchNamesInOrder()
        => Assert.Equal(["self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
            "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"],
            new TransformerEncoderLayer(8, 2, 16).StateDict().Keys);

    [Fact]
    public void Encoder_LayersAreIndependentDeepCopies()
    {
        TransformerEncoderLayer layer = Layer();
        layer.Linear1.Bias!.RequiresGrad = false;
        var encoder = new TransformerEncoder(layer, 2, new LayerNorm(4, dtype: DType.Float64));
        Assert.Equal(2 * 12 + 2, encoder.StateDict().Count);
        Assert.Contains("layers.1.self_attn.in_proj_weight", encoder.StateDict().Keys);
        Assert.Equal("norm.bias", encoder.StateDict().Keys.Last());
        TransformerEncoderLayer first = encoder.Layers[0], second = encoder.Layers[1];
        Assert.NotSame(first.Linear1.Weight, second.Linear1.Weight);
        Assert.NotSame(layer.Linear1.Weight, first.Linear1.Weight);
        Assert.Equal(layer.Linear1.Weight.ToDoubleArray(), second.Linear1.Weight.ToDoubleArray());
        Assert.False(second.Linear1.Bias!.RequiresGrad);
        Assert.True(second.Linear1.Weight.RequiresGrad);
        using (Autograd.NoGrad()) first.Linear1.Weight.AddInPlace(1.0);
        Assert.Equal(layer.Linear1.Weight.ToDoubleArray(), second.Linear1.Weight.ToDoubleArray());

        Tensor x = Randn(8, 2, 3, 4);
        Tensor mask = Tensor.From([false, true, false, false], [2, 2]);
        Tensor padding = Tensor.From([false, false, true, false, false, false], [2, 3]);
        Tensor expected = encoder.Norm!.Forward(second.Forward(first.Forward(x, srcKeyPaddingMask: padding), srcKeyPaddingMask: padding));
        AssertAll(expected.ToDoubleArray(), encoder.Forward(x, srcKeyPaddingMask: padding));
        Assert.Throws<ArgumentException>(() => encoder.Forward(x, mask));
    }

    [Fact]
    public void Summary_TwoInputLayer_ShowsEverySubmodule()
    {
        TransformerEncoderLayer m = Layer();
        string summary = m.Summary(Randn(9, 2, 3, 4), ((Tensor?)null, (Tensor?)Tensor.From([false, false, true, false, false, false], [2, 3])));
        Assert.Contains("MultiheadAttention (self_attn)", summary, StringComparison.Ordinal);
        Assert.Contains("LayerNorm (norm2)", summary, StringComparison.Ordinal);
        Assert.Contains("[2, 3, 6]", summary, StringComparison.Ordinal);
    }
}
