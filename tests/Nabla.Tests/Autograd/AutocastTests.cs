using Nabla.Models;
using Nabla.NN;

namespace Nabla.Tests.Graph;

/// <summary>
/// Autocast (Note [Autocast policy]): which ops run in bfloat16 and which in float32, the dtypes through a GPT block and
/// its loss, gradients in the parameters' dtype, and the scope's extent (thread, nesting, backward).
/// </summary>
public class AutocastTests
{
    private static Tensor X() => Tensor.Randn([2, 4, 8], DType.Float32, new Generator(1));

    [Fact]
    public void Enable_LowerPrecisionOps_RunInBFloat16()
    {
        Tensor x = X(), w = Tensor.Randn([8, 8], DType.Float32, new Generator(2));
        using var _ = Autocast.Enable(DType.BFloat16);
        Assert.Equal(DType.BFloat16, Functional.Linear(x, w, Tensor.Zeros([8])).DType);
        Assert.Equal(DType.BFloat16, x.MatMul(w).DType);
        Assert.Equal(DType.BFloat16, x.Bmm(x.Transpose(1, 2)).DType);
        Assert.Equal(DType.BFloat16, Functional.Conv1d(x, Tensor.Randn([3, 4, 3], DType.Float32, new Generator(3))).DType);
        // The values are those of the op on inputs rounded to bfloat16.
        Tensor expected;
        using (Autocast.Disable()) expected = x.To(DType.BFloat16).MatMul(w.To(DType.BFloat16));
        Assert.Equal(expected.ToArray<BFloat16>(), x.MatMul(w).ToArray<BFloat16>());
    }

    [Fact]
    public void Enable_Float32Ops_CastBFloat16InputsUp()
    {
        Tensor xb = X().To(DType.BFloat16);
        Tensor labels = Tensor.From([0L, 1, 2, 3, 4, 5, 6, 7]);
        using var _ = Autocast.Enable();
        Assert.Equal(DType.Float32, xb.Softmax(-1).DType);
        Assert.Equal(DType.Float32, xb.LogSoftmax(-1).DType);
        Assert.Equal(DType.Float32, Functional.LayerNorm(xb, [8], Tensor.Ones([8]), Tensor.Zeros([8])).DType);
        Assert.Equal(DType.Float32, Functional.BatchNorm(xb, null, null, training: true).DType);
        Assert.Equal(DType.Float32, Functional.CrossEntropy(xb.Reshape(8, 8), labels).DType);
        Assert.Equal(DType.Float32, Functional.MseLoss(xb, xb).DType);
        Assert.Equal(DType.Float32, xb.Sum().DType);
        Assert.Equal(DType.Float32, xb.Mean().DType);
        Assert.Equal(DType.Float32, xb.Prod().DType);
        Assert.Equal(DType.Float32, xb.Norm().DType);
        // Other ops keep the widest input dtype, as in PyTorch.
        Assert.Equal(DType.BFloat16, Functional.Gelu(xb).DType);
        Assert.Equal(DType.BFloat16, (xb * xb).DType);
        Assert.Equal(DType.Float32, (xb + X()).DType);
    }

    [Fact]
    public void Enable_GptForwardAndBackward_PinnedDTypesAndFloat32Gradients()
    {
        var config = new GptConfig(VocabSize: 11, BlockSize: 8, NLayer: 2, NHead: 2, NEmbd: 16);
        var model = new Gpt(config, generator: new Generator(5));
        Tensor idx = Tensor.RandInt(0, 11, [2, 8], new Generator(6));
        Tensor logits, loss, block, norm;
        using (Autocast.Enable(DType.BFloat16))
        {
            (logits, loss) = model.Forward(idx, idx);
            Tensor h = Tensor.Randn([2, 8, 16], DType.Float32, new Generator(7));
            block = model.Blocks[0].Forward(h);
            norm = model.Blocks[0].Ln1.Forward(h.To(DType.BFloat16));
        }
        Assert.Equal(DType.BFloat16, logits.DType); // lm_head is a linear layer
        Assert.Equal(DType.Float32, loss.DType);    // cross-entropy runs in float32
        Assert.Equal(DType.Float32, block.DType);   // x + attn(ln(x)): float32 residual + bfloat16 branch
        Assert.Equal(DType.Float32, norm.DType);    // layer norm runs in float32
        loss.Backward();
        Assert.All(model.Parameters(), p =>
        {
            Assert.Equal(DType.Float32, p.DType);
            Assert.Equal(DType.Float32, p.Grad!.DType);
        });
        Assert.True(double.IsFinite(loss.Item()));
    }

    [Fact]
    public void Enable_LossMatchesFloat32WithinBFloat16Precision()
    {
        var model = new Gpt(new GptConfig(VocabSize: 11, BlockSize: 8, NLayer: 2, NHead: 2, NEmbd: 16), generator: new Generator(5));
        Tensor idx = Tensor.RandInt(0, 11, [2, 8], new Generator(6));
        double full = model.Forward(idx, idx).Loss.Item(), mixed;
        using (Autocast.Enable()) mixed = model.Forward(idx, idx).Loss.Item();
        Assert.NotEqual(full, mixed);
        Assert.InRange(mixed - full, -0.05, 0.05);
    }

    [Fact]
    public void Scope_IsPerThreadNestsAndEndsOnDispose()
    {
        Tensor x = X(), w = Tensor.Ones([8, 8]);
        Assert.False(Autocast.IsEnabled);
        using (Autocast.Enable(DType.Float16))
        {
            Assert.Equal(DType.Float16, Autocast.CurrentDType);
            Assert.Equal(DType.Float16, x.MatMul(w).DType);
            using (Autocast.Enable(DType.BFloat16)) Assert.Equal(DType.BFloat16, x.MatMul(w).DType);
            using (Autocast.Disable()) Assert.Equal(DType.Float32, x.MatMul(w).DType);
            Assert.Equal(DType.Float16, x.MatMul(w).DType);
            DType other = DType.BFloat16;
            var thread = new Thread(() => other = x.MatMul(w).DType);
            thread.Start();
            thread.Join();
            Assert.Equal(DType.Float32, other);
        }
        Assert.Null(Autocast.CurrentDType);
        Assert.Equal(DType.Float32, x.MatMul(w).DType);
    }

    [Fact]
    public void Backward_InsideTheScope_RunsRulesInTheirForwardDTypes()
    {
        Tensor w = Tensor.Randn([8, 8], DType.Float32, new Generator(2), requiresGrad: true);
        Tensor x = X();
        Tensor gradInside, gradOutside;
        using (Autocast.Enable())
        {
            x.MatMul(w).Sum().Backward();
            gradInside = w.Grad!;
        }
        w.Grad = null;
        Tensor y;
        using (Autocast.Enable()) y = x.MatMul(w).Sum();
        y.Backward();
        gradOutside = w.Grad!;
        Assert.Equal(DType.Float32, gradInside.DType);
        Assert.Equal(gradOutside.ToArray<float>(), gradInside.ToArray<float>());
    }

    [Fact]
    public void Enable_NotAHalfDType_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Autocast.Enable(DType.Float32));
        Assert.Contains("float32", ex.Message);
    }
}
