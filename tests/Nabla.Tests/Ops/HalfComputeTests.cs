using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Tests.Ops;

/// <summary>Type promotion with the 16-bit dtypes and the ops around them (Note [Half compute], Note [Type promotion]).</summary>
public class HalfComputeTests
{
    [Theory]
    [InlineData(DType.BFloat16)]
    [InlineData(DType.Float16)]
    public void Add_HalfWithFloat32_PromotesToFloat32AndGradientReturnsInHalf(DType dtype)
    {
        Tensor h = Tensor.Full([3], 1.5, dtype, requiresGrad: true);
        Tensor f = Tensor.Full([3], 2.0, DType.Float32, requiresGrad: true);
        Tensor y = h * f;
        Assert.Equal(DType.Float32, y.DType);
        Assert.Equal(DType.Float32, (f + h).DType);
        y.Sum().Backward();
        Assert.Equal(dtype, h.Grad!.DType);
        Assert.Equal([2.0, 2.0, 2.0], h.Grad.ToDoubleArray());
        Assert.Equal([1.5f, 1.5f, 1.5f], f.Grad!.ToArray<float>());
    }

    [Fact]
    public void Add_BFloat16WithFloat16_IsFloat32AndFloat32WithFloat64_StillThrows()
    {
        Assert.Equal(DType.Float32, (Tensor.Ones([2], DType.BFloat16) + Tensor.Ones([2], DType.Float16)).DType);
        Assert.Equal(DType.Float64, (Tensor.Ones([2], DType.BFloat16) + Tensor.Ones([2], DType.Float64)).DType);
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Ones([2]) + Tensor.Ones([2], DType.Float64));
        Assert.Contains("add", ex.Message);
    }

    [Fact]
    public void Sum_ManyBFloat16Elements_AccumulatesInFloat32()
    {
        // 4096 ones: a bfloat16 running sum would stop at 256 (256 + 1 rounds back to 256).
        Tensor s = Tensor.Ones([4096], DType.BFloat16).Sum();
        Assert.Equal(DType.BFloat16, s.DType);
        Assert.Equal(4096.0, s.Item());
    }

    [Fact]
    public void Ops_OnHalfTensors_KeepTheNodeNamesOfFloat32()
    {
        Tensor x = Tensor.Randn([2, 3], DType.BFloat16, new Generator(1), requiresGrad: true);
        Assert.Equal("SoftmaxBackward", x.Softmax(1).GradFn!.Name);
        Assert.Equal("MulBackward", (x * x).GradFn!.Name);
        Assert.Equal(DType.BFloat16, x.Softmax(1).DType);
    }

    [Fact]
    public void Optimizer_HalfParameter_ThrowsNamingMasterWeights()
    {
        Tensor p = Tensor.Zeros([2], DType.BFloat16, requiresGrad: true);
        var ex = Assert.Throws<ArgumentException>(() => new Sgd([p], lr: 0.1));
        Assert.Contains("bfloat16", ex.Message);
        Assert.Contains("Autocast", ex.Message);
    }

    [Fact]
    public void ClipGradNorm_HalfGradient_ThrowsNamingTheDType()
    {
        Tensor p = Tensor.Zeros([2], DType.Float16, requiresGrad: true);
        (p * 2.0).Sum().Backward();
        var ex = Assert.Throws<ArgumentException>(() => GradClip.ClipGradNorm([p], 1.0));
        Assert.Contains("float16", ex.Message);
    }

    [Fact]
    public void Lstm_BFloat16ModuleAndInput_MatchesFloat32WithinBFloat16Precision()
    {
        var wide = new Lstm(3, 4);
        var half = new Lstm(3, 4);
        half.LoadStateDict(wide.StateDict());
        half.To(DType.BFloat16);
        wide.LoadStateDict(half.StateDict()); // the same rounded weights
        Tensor x = Tensor.Randn([5, 2, 3], DType.BFloat16, new Generator(2));
        Tensor y = half.Forward(x).Output;
        Assert.Equal(DType.BFloat16, y.DType);
        float[] want = wide.Forward(x.To(DType.Float32)).Output.ToArray<float>();
        double[] got = y.ToDoubleArray();
        for (int i = 0; i < want.Length; i++) Assert.InRange(got[i] - want[i], -0.01, 0.01);
        var mixed = Assert.Throws<ArgumentException>(() => wide.Forward(x));
        Assert.Contains("bfloat16", mixed.Message);
    }

    [Theory]
    [InlineData(DType.BFloat16)]
    [InlineData(DType.Float16)]
    public void CrossEntropyAndSlicing_HalfLogits_TakeTheFloat32PathsAndReturnHalfGradients(DType dtype)
    {
        Tensor logits = Tensor.Randn([6, 5], dtype, new Generator(3), requiresGrad: true);
        Tensor labels = Tensor.From([0L, 1, 2, 3, 4, 0]);
        Tensor loss = Functional.CrossEntropy(logits, labels) + logits.Slice(1, 1, 5, 2).Sum();
        Assert.Equal(dtype, loss.DType);
        loss.Backward();
        Assert.Equal(dtype, logits.Grad!.DType);
        Tensor wide = logits.Detach().To(DType.Float32);
        wide.RequiresGrad = true;
        (Functional.CrossEntropy(wide, labels) + wide.Slice(1, 1, 5, 2).Sum()).Backward();
        double[] want = wide.Grad!.ToDoubleArray(), got = logits.Grad.ToDoubleArray();
        for (int i = 0; i < want.Length; i++) Assert.InRange(got[i] - want[i], -0.02, 0.02);
    }

    [Fact]
    public void IsNaNAndIsInf_HalfTensors_ClassifyEveryElement()
    {
        Tensor t = Tensor.From([double.NaN, double.PositiveInfinity, 1.0, double.NegativeInfinity], dtype: DType.BFloat16);
        Assert.Equal([true, false, false, false], t.IsNan().ToArray<bool>());
        Assert.Equal([false, true, false, true], t.IsInf().ToArray<bool>());
    }
}
