using Nabla.NN;
using static Nabla.Tests.ErrorAssert;
using static Nabla.Tests.FunctionalGradCheck;

namespace Nabla.Tests.NN;

/// <summary>
/// MultiheadAttention (NN/MultiheadAttention.cs) against its definition per head (reference README 3.3), its mask
/// conventions (true = NOT allowed / padding, float added), layouts, parameters, initialisation and errors.
/// </summary>
public class MultiheadAttentionTests
{
    private static MultiheadAttention Layer(int e = 4, int heads = 2, bool batchFirst = false, int? kdim = null, int? vdim = null, bool bias = true)
    {
        var m = new MultiheadAttention(e, heads, bias: bias, kdim: kdim, vdim: vdim, batchFirst: batchFirst, dtype: DType.Float64, generator: new Generator(7));
        // Random biases (PyTorch initialises them to zero), so the test sees them.
        using (Autograd.NoGrad())
            foreach (Tensor p in m.Parameters()) p.CopyFrom(Randn(3 + (ulong)p.Numel, p.Shape.ToArray()));
        return m;
    }

    /// <summary>The README's definition for one batch item of batch-first inputs, head by head, with a float mask [L, S].</summary>
    private static (Tensor Output, Tensor Weights) Definition(MultiheadAttention m, Tensor q, Tensor k, Tensor v, Tensor? mask)
    {
        int e = m.EmbedDim, hd = m.HeadDim;
        Tensor wq = m.InProjWeight!.Narrow(0, 0, e), wk = m.InProjWeight.Narrow(0, e, e), wv = m.InProjWeight.Narrow(0, 2 * e, e);
        Tensor b = m.InProjBias!;
        Tensor qp = q.MatMul(wq.MT) + b.Narrow(0, 0, e), kp = k.MatMul(wk.MT) + b.Narrow(0, e, e), vp = v.MatMul(wv.MT) + b.Narrow(0, 2 * e, e);
        var heads = new List<Tensor>();
        var weights = new List<Tensor>();
        for (int h = 0; h < m.NumHeads; h++)
        {
            Tensor s = qp.Narrow(-1, h * hd, hd).MatMul(kp.Narrow(-1, h * hd, hd).MT) / Math.Sqrt(hd);
            if (mask is not null) s += mask;
            Tensor w = s.Softmax(-1);
            weights.Add(w.Unsqueeze(0));
            heads.Add(w.MatMul(vp.Narrow(-1, h * hd, hd)));
        }
        Tensor o = Tensor.Cat(heads, -1).MatMul(m.OutProj.Weight.MT) + m.OutProj.Bias!;
        return (o, Tensor.Cat(weights, 0));
    }

    [Fact]
    public void Forward_BatchFirst_MatchesDefinitionPerHead()
    {
        MultiheadAttention m = Layer(batchFirst: true);
        Tensor q = Randn(1, 2, 3, 4), k = Randn(2, 2, 5, 4), v = Randn(3, 2, 5, 4);
        var (output, weights) = m.Forward(q, k, v, averageAttnWeights: false);
        Assert.Equal([2, 3, 4], output.Shape.ToArray());
        Assert.Equal([2, 2, 3, 5], weights!.Shape.ToArray());
        for (int b = 0; b < 2; b++)
        {
            var (o, w) = Definition(m, q.Select(0, b), k.Select(0, b), v.Select(0, b), null);
            AssertAll(o.ToDoubleArray(), output.Select(0, b));
            AssertAll(w.ToDoubleArray(), weights.Select(0, b));
        }
        var (withoutWeights, none) = m.Forward(q, k, v, needWeights: false);
        Assert.Null(none);
        AssertAll(output.ToDoubleArray(), withoutWeights);
    }

    [Fact]
    public void Forward_SequenceFirstAndUnbatched_MatchBatchFirst()
    {
        MultiheadAttention seq = Layer(), first = Layer(batchFirst: true);
        Tensor q = Randn(4, 3, 2, 4), k = Randn(5, 5, 2, 4), v = Randn(6, 5, 2, 4);
        var (a, wa) = seq.Forward(q, k, v);
        var (b, wb) = first.Forward(q.Transpose(0, 1), k.Transpose(0, 1), v.Transpose(0, 1));
        AssertAll(b.Transpose(0, 1).ToDoubleArray(), a);
        AssertAll(wb!.ToDoubleArray(), wa!);
        var (u, wu) = seq.Forward(q.Select(1, 1), k.Select(1, 1), v.Select(1, 1));
        Assert.Equal([3, 4], u.Shape.ToArray());
        Assert.Equal([3, 5], wu!.Shape.ToArray());
        AssertAll(a.Select(1, 1).ToDoubleArray(), u);
        AssertAll(wa!.Select(0, 1).ToDoubleArray(), wu);
    }

    [Fact]
    public void Forward_AveragedWeights_AreTheMeanOverHeads()
    {
        MultiheadAttention m = Layer(batchFirst: true);
        Tensor q = Randn(7, 2, 3, 4);
        var (_, mean) = m.Forward(q, q, q);
        var (_, perHead) = m.Forward(q, q, q, averageAttnWeights: false);
        AssertAll(perHead!.Mean(1).ToDoubleArray(), mean!);
    }

    [Fact]
    public void Forward_BoolAttnMaskTrueMeansNotAllowed_EqualsFloatMinusInfinity()
    {
        MultiheadAttention m = Layer(batchFirst: true);
        Tensor q = Randn(8, 2, 3, 4), k = Randn(9, 2, 4, 4);
        bool[] blocked = [false, true, false, true, false, false, true, true, false, false, false, true];
        Tensor boolMask = Tensor.From(blocked, [3, 4]);
        Tensor floatMask = Tensor.From(blocked.Select(x => x ? double.NegativeInfinity : 0.0).ToArray(), [3, 4], dtype: DType.Float64);
        var (a, wa) = m.Forward(q, k, k, attnMask: boolMask);
        var (b, wb) = m.Forward(q, k, k, attnMask: floatMask);
        AssertAll(b.ToDoubleArray(), a);
        AssertAll(wb!.ToDoubleArray(), wa!);
        double[] w = wa!.ToDoubleArray();
        for (int i = 0; i < w.Length; i++) Assert.True(!blocked[i % 12] || w[i] == 0, $"weight {i} of a blocked pair is {w[i]}");
        var (o, _) = Definition(m, q.Select(0, 1), k.Select(0, 1), k.Select(0, 1), floatMask);
        AssertAll(o.ToDoubleArray(), a.Select(0, 1));
    }

    [Fact]
    public void Forward_KeyPaddingMask_IgnoresPaddedKeys()
    {
        MultiheadAttention m = Layer(batchFirst: true);
        Tensor q = Randn(10, 2, 3, 4), k = Randn(11, 2, 4, 4), v = Randn(12, 2, 4, 4);
        Tensor padding = Tensor.From([false, false, true, false, false, false, false, true], [2, 4]);
        var (a, w) = m.Forward(q, k, v, padding);
        // Changing a padded key or value changes nothing; the padded key gets weight 0.
        Tensor k2 = k.Clone(), v2 = v.Clone();
        using (Autograd.NoGrad())
        {
            k2.Select(0, 0).Select(0, 2).CopyFrom(Randn(13, 4));
            v2.Select(0, 1).Select(0, 3).CopyFrom(Randn(14, 4));
        }
        AssertAll(a.ToDoubleArray(), m.Forward(q, k2, v2, padding).Output);
        Assert.All(w!.Select(0, 0).Select(-1, 2).ToDoubleArray(), x => Assert.Equal(0, x));
    }

    [Fact]
    public void Forward_BothMasks_Combine()
    {
        MultiheadAttention m = Layer(batchFirst: true);
        Tensor q = Randn(15, 1, 2, 4), k = Randn(16, 1, 3, 4);
        Tensor padding = Tensor.From([false, false, true], [1, 3]);
        Tensor attn = Tensor.From([true, false, false, false, true, false], [2, 3]);
        Tensor both = Tensor.From([true, false, true, false, true, true], [2, 3]);
        AssertAll(m.Forward(q, k, k, attnMask: both).Output.ToDoubleArray(), m.Forward(q, k, k, padding, attnMask: attn).Output);
        Tensor floatAttn = Randn(17, 2, 3);
        Tensor floatBoth = floatAttn + Tensor.From([0.0, 0, double.NegativeInfinity, 0, 0, double.NegativeInfinity], [2, 3], dtype: DType.Float64);
        AssertAll(m.Forward(q, k, k, attnMask: floatBoth).Output.ToDoubleArray(), m.Forward(q, k, k, padding, attnMask: floatAttn).Output);
    }

    [Fact]
    public void Forward_ThreeDimAttnMask_UsesEntryBTimesHeadsPlusH()
    {
        MultiheadAttention m = Layer(batchFirst: true);
        Tensor q = Randn(18, 2, 3, 4), k = Randn(19, 2, 3, 4);
        Tensor mask = Randn(20, 4, 3, 3);
        var (_, w) = m.Forward(q, k, k, attnMask: mask, averageAttnWeights: false);
        for (int b = 0; b < 2; b++)
            for (int h = 0; h < 2; h++)
            {
                var (_, expected) = Definition(m, q.Select(0, b), k.Select(0, b), k.Select(0, b), mask.Select(0, b * 2 + h));
                AssertAll(expected.Select(0, h).ToDoubleArray(), w!.Select(0, b).Select(0, h));
            }
    }

    [Fact]
    public void Forward_SelfAttentionOneProjection_EqualsSeparateTensors()
    {
        MultiheadAttention m = Layer();
        Tensor x = Randn(21, 3, 2, 4);
        AssertAll(m.Forward(x, x.Clone(), x.Clone()).Output.ToDoubleArray(), m.Forward(x, x, x).Output, rtol: 1e-12, atol: 1e-13);
        Tensor mem = Randn(22, 5, 2, 4);
        AssertAll(m.Forward(x, mem, mem.Clone()).Output.ToDoubleArray(), m.Forward(x, mem, mem).Output, rtol: 1e-12, atol: 1e-13);
    }

    [Fact]
    public void Forward_Gradients_MatchFiniteDifferences()
    {
        MultiheadAttention m = Layer(kdim: 3, vdim: 5);
        Tensor mask = Tensor.From([false, true, false, false, false, true], [3, 2]);
        AssertGradients(x => m.Forward(x[0], x[1], x[2], attnMask: mask).Output, Param(23, 3, 2, 4), Param(24, 2, 2, 3), Param(25, 2, 2, 5));
        AssertGradients(x => m.Forward(x[0], x[1], x[2]).Weights!, Param(26, 3, 2, 4), Param(27, 2, 2, 3), Param(28, 2, 2, 5));
    }

    [Fact]
    public void Parameters_PackedOrSeparate_HavePyTorchNamesAndShapes()
    {
        var packed = new MultiheadAttention(6, 3);
        Assert.Equal(["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"], packed.StateDict().Keys);
        Assert.Equal([18, 6], packed.InProjWeight!.Shape.ToArray());
        var separate = new MultiheadAttention(4, 1, bias: false, kdim: 3, vdim: 5);
        Assert.Equal(["q_proj_weight", "k_proj_weight", "v_proj_weight", "out_proj.weight"],
            separate.StateDict().Select(p => $"{p.Key}").ToArray());
        Assert.Equal([4, 3], separate.KProjWeight!.Shape.ToArray());
        Assert.Equal([4, 5], separate.VProjWeight!.Shape.ToArray());
        Assert.Equal("MultiheadAttention(\n  (out_proj): Linear(in_features=4, out_features=4, bias=False)\n)", separate.ToString().Replace("\r", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Constructor_Initialisation_IsPyTorchs()
    {
        var m = new MultiheadAttention(32, 4, generator: new Generator(1));
        Assert.All(m.InProjBias!.ToDoubleArray(), x => Assert.Equal(0, x));
        Assert.All(m.OutProj.Bias!.ToDoubleArray(), x => Assert.Equal(0, x));
        double xavier = Math.Sqrt(6.0 / (32 + 96)), linear = 1 / Math.Sqrt(32);
        double[] w = m.InProjWeight!.ToDoubleArray(), o = m.OutProj.Weight.ToDoubleArray();
        Assert.All(w, x => Assert.True(Math.Abs(x) <= xavier));
        Assert.True(w.Max() > 0.9 * xavier, "in_proj_weight should fill U(-a, a) with a = sqrt(6 / (fan_in + fan_out))");
        Assert.All(o, x => Assert.True(Math.Abs(x) <= linear));
        Assert.True(o.Max() > 0.9 * linear);
    }

    [Fact]
    public void Forward_DropoutOnlyInTraining()
    {
        var m = new MultiheadAttention(4, 2, dropout: 0.5, batchFirst: true, dtype: DType.Float64, generator: new Generator(3));
        Tensor x = Randn(29, 1, 6, 4);
        Tensor a = m.Forward(x, x, x).Output, b = m.Forward(x, x, x).Output;
        Assert.NotEqual(a.ToDoubleArray(), b.ToDoubleArray());
        m.Eval();
        AssertAll(m.Forward(x, x, x).Output.ToDoubleArray(), m.Forward(x, x, x).Output, rtol: 0, atol: 0);
    }

    [Fact]
    public void Summary_ThreeInputModule_ShowsOutputShapes()
    {
        MultiheadAttention m = Layer(batchFirst: true);
        string summary = m.Summary(Randn(30, 2, 3, 4), Randn(31, 2, 5, 4), Randn(32, 2, 5, 4), ((Tensor?)null, true, (Tensor?)null, true));
        Assert.Contains("Linear (out_proj)", summary, StringComparison.Ordinal);
        Assert.Contains("[2, 3, 4]", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Forward_BadInputs_ErrorsNameShapes()
    {
        MultiheadAttention m = Layer(batchFirst: true);
        Tensor q = Randn(33, 2, 3, 4), k = Randn(34, 2, 5, 4);
        AssertMessage(Assert.Throws<ArgumentException>(() => m.Forward(Randn(35, 2, 3, 6), k, k)), "MultiheadAttention", "E = 4", "[2, 3, 6]");
        AssertMessage(Assert.Throws<ArgumentException>(() => m.Forward(q, Randn(36, 3, 5, 4), Randn(36, 3, 5, 4))), "MultiheadAttention", "batch size");
        AssertMessage(Assert.Throws<ArgumentException>(() => m.Forward(q, k, Randn(37, 2, 4, 4))), "MultiheadAttention", "same length S");
        AssertMessage(Assert.Throws<ArgumentException>(() => m.Forward(Randn(38, 4), k, k)), "MultiheadAttention", "2-D unbatched");
        AssertMessage(Assert.Throws<ArgumentException>(() => m.Forward(q, k, k, Tensor.Zeros([2, 4], DType.Bool))), "key_padding_mask", "[2, 5]", "[2, 4]");
        AssertMessage(Assert.Throws<ArgumentException>(() => m.Forward(q, k, k, Tensor.Zeros([2, 5], DType.Float64))), "key_padding_mask", "bool", "float64");
        AssertMessage(Assert.Throws<ArgumentException>(() => m.Forward(q, k, k, attnMask: Tensor.Zeros([3, 4], DType.Bool))), "attn_mask", "[3, 5]", "[4, 3, 5]", "[3, 4]");
        AssertMessage(Assert.Throws<ArgumentException>(() => m.Forward(q, k, k, attnMask: Tensor.Zeros([3, 5], DType.Int64))), "attn_mask", "int64");
        AssertMessage(Assert.Throws<ArgumentException>(() => new MultiheadAttention(5, 2)), "MultiheadAttention", "embed_dim (5)", "num_heads (2)");
    }
}
