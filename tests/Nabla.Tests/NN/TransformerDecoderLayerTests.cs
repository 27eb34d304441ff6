using Nabla.NN;
using static Nabla.Tests.FunctionalGradCheck;

namespace Nabla.Tests.NN;

/// <summary>
/// TransformerDecoderLayer and TransformerDecoder (NN/TransformerDecoderLayer.cs, NN/TransformerDecoder.cs): the block
/// order, the memory's masks, names, deep copies and Summary with two tensor inputs.
/// </summary>
public class TransformerDecoderLayerTests
{
    private static TransformerDecoderLayer Layer(bool normFirst = false)
    {
        var layer = new TransformerDecoderLayer(4, 2, 6, 0, TransformerActivation.Relu, 1e-5, batchFirst: true, normFirst: normFirst, dtype: DType.Float64, generator: new Generator(5));
        using (Autograd.NoGrad())
            foreach (Tensor p in layer.Parameters()) p.CopyFrom(Randn(60 + (ulong)p.Numel, p.Shape.ToArray()) * 0.5);
        return layer;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Forward_MatchesTheBlockOrder(bool normFirst)
    {
        TransformerDecoderLayer m = Layer(normFirst);
        Tensor x = Randn(1, 2, 3, 4), mem = Randn(2, 2, 5, 4);
        Tensor Sa(Tensor t) => m.SelfAttn.Forward(t, t, t, needWeights: false).Output;
        Tensor Ca(Tensor t) => m.MultiheadAttn.Forward(t, mem, mem, needWeights: false).Output;
        Tensor Ff(Tensor t) => m.Linear2.Forward(m.Linear1.Forward(t).Relu());
        Tensor expected;
        if (normFirst)
        {
            Tensor h = x + Sa(m.Norm1.Forward(x));
            h = h + Ca(m.Norm2.Forward(h));
            expected = h + Ff(m.Norm3.Forward(h));
        }
        else
        {
            Tensor h = m.Norm1.Forward(x + Sa(x));
            h = m.Norm2.Forward(h + Ca(h));
            expected = m.Norm3.Forward(h + Ff(h));
        }
        AssertAll(expected.ToDoubleArray(), m.Forward(x, mem));
    }

    [Fact]
    public void Forward_MemoryKeyPaddingMask_PaddedMemoryDoesNotMatter()
    {
        TransformerDecoderLayer m = Layer();
        Tensor padding = Tensor.From([false, true, false], [1, 3]);
        Tensor x = Randn(3, 1, 2, 4), mem = Randn(4, 1, 3, 4), other = mem.Clone();
        using (Autograd.NoGrad()) other.Select(1, 1).CopyFrom(Randn(5, 1, 4));
        AssertAll(m.Forward(x, mem, memoryKeyPaddingMask: padding).ToDoubleArray(), m.Forward(x, other, memoryKeyPaddingMask: padding));
        Tensor memoryMask = Tensor.From([false, true, false, false, true, false], [2, 3]);
        AssertAll(m.Forward(x, mem, memoryMask: memoryMask).ToDoubleArray(), m.Forward(x, other, memoryMask: memoryMask));
    }

    [Fact]
    public void Forward_Gradients_MatchFiniteDifferences()
    {
        TransformerDecoderLayer m = Layer(normFirst: true);
        Tensor causal = Tensor.From([false, true, false, false], [2, 2]);
        AssertGradients(x => m.Forward(x[0], x[1], tgtMask: causal), Param(6, 1, 2, 4), Param(7, 1, 3, 4));
    }

    [Fact]
    public void StateDict_HasPyTorchNamesInOrder()
    {
        string[] names = [.. new TransformerDecoderLayer(8, 2, 16).StateDict().Keys];
        Assert.Equal(["self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
            "multihead_attn.in_proj_weight", "multihead_attn.in_proj_bias", "multihead_attn.out_proj.weight", "multihead_attn.out_proj.bias",
            "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias",
            "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias", "norm3.weight", "norm3.bias"], names);
    }

    [Fact]
    public void Decoder_StacksDeepCopies()
    {
        TransformerDecoderLayer layer = Layer();
        var decoder = new TransformerDecoder(layer, 3);
        Assert.Equal(3 * 18, decoder.StateDict().Count);
        Assert.Equal("layers.2.norm3.bias", decoder.StateDict().Keys.Last());
        Assert.NotSame(decoder.Layers[0].Norm3.Weight, decoder.Layers[2].Norm3.Weight);
        Tensor x = Randn(8, 2, 3, 4), mem = Randn(9, 2, 4, 4);
        Tensor causal = Tensor.From([false, true, true, false, false, true, false, false, false], [3, 3]);
        Tensor expected = layer.Forward(layer.Forward(layer.Forward(x, mem, causal), mem, causal), mem, causal);
        AssertAll(expected.ToDoubleArray(), decoder.Forward(x, mem, causal));
    }

    [Fact]
    public void Summary_TwoTensorInputs_ShowsBothAttentions()
    {
        TransformerDecoderLayer m = Layer();
        string summary = m.Summary(Randn(10, 2, 3, 4), Randn(11, 2, 5, 4), ((Tensor?)null, (Tensor?)null, (Tensor?)null, (Tensor?)null));
        Assert.Contains("MultiheadAttention (self_attn)", summary, StringComparison.Ordinal);
        Assert.Contains("MultiheadAttention (multihead_attn)", summary, StringComparison.Ordinal);
        Assert.Contains("LayerNorm (norm3)", summary, StringComparison.Ordinal);
    }
}
