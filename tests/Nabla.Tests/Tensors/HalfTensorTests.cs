using Nabla.IO;
using Nabla.NN;
using Nabla.Tests.Data;

namespace Nabla.Tests.Tensors;

/// <summary>Tensors of the 16-bit float dtypes: creation, conversion both ways (differentiable), printing, files.</summary>
public class HalfTensorTests
{
    public static TheoryData<DType> HalfDTypes => [DType.BFloat16, DType.Float16];

    [Theory]
    [MemberData(nameof(HalfDTypes))]
    public void Creation_HalfDType_HoldsTwoByteElements(DType dtype)
    {
        Assert.True(dtype.IsFloatingPoint());
        Assert.Equal(2, dtype.ElementSize());
        Tensor z = Tensor.Zeros([2, 3], dtype);
        Assert.Equal(dtype, z.DType);
        Assert.All(z.ToDoubleArray(), v => Assert.Equal(0.0, v));
        Assert.Equal([1.5, 1.5], Tensor.Full([2], 1.5, dtype).ToDoubleArray());
        Assert.Equal([1.0, 0.0, 0.0, 1.0], Tensor.Eye(2, dtype: dtype).Reshape(4).ToDoubleArray());
        Assert.Equal([0.0, 0.5, 1.0], Tensor.Arange(0, 1.5, 0.5, dtype).ToDoubleArray());
        Tensor r = Tensor.Rand([4096], dtype, new Generator(1));
        Assert.Equal(dtype, r.DType);
        Assert.All(r.ToDoubleArray(), v => Assert.InRange(v, 0.0, 0.9999));
        Assert.Equal(dtype, Tensor.Randn([3], dtype, new Generator(1), requiresGrad: true).DType);
    }

    [Fact]
    public void From_HalfArrays_KeepTheElements()
    {
        Tensor b = Tensor.From([(BFloat16)0.1f, BFloat16.NegativeInfinity], [2, 1]);
        Assert.Equal(DType.BFloat16, b.DType);
        Assert.Equal([2, 1], b.Shape.ToArray());
        Assert.Equal([(BFloat16)0.1f, BFloat16.NegativeInfinity], b.ToArray<BFloat16>());
        Tensor h = Tensor.From([(Half)65504f], requiresGrad: true);
        Assert.Equal(DType.Float16, h.DType);
        Assert.True(h.RequiresGrad);
        Assert.Equal((Half)65504f, h.Item<Half>());
        Assert.Equal((BFloat16)2.5f, Tensor.Scalar(2.5, DType.BFloat16).Item<BFloat16>());
        Assert.Equal(DType.BFloat16, Tensor.From([1.0, 2.0], dtype: DType.BFloat16).DType);
    }

    [Theory]
    [MemberData(nameof(HalfDTypes))]
    public void To_FromAndToEveryDType_RoundsOnce(DType dtype)
    {
        double[] values = [0.1, -2.5, 1e-3, 300.7, 0];
        Tensor x = Tensor.From(values, dtype: DType.Float64);
        double[] expected = [.. values.Select(v => dtype == DType.BFloat16 ? (double)(BFloat16)v : (double)(Half)v)];
        Assert.Equal(expected, x.To(dtype).ToDoubleArray());
        Assert.Equal(expected, x.To(dtype).To(DType.Float32).ToDoubleArray());
        Assert.Equal(expected, x.To(dtype).To(DType.Float64).ToDoubleArray());
        Assert.Equal([0L, -2, 0, 300, 0], x.To(dtype).To(DType.Int64).ToArray<long>());
        Assert.Equal([true, true, true, true, false], x.To(dtype).To(DType.Bool).ToArray<bool>());
        Assert.Equal([3.0, 0.0], Tensor.From([3L, 0L]).To(dtype).ToDoubleArray());
        Assert.Equal([1.0, 0.0], Tensor.From([true, false]).To(dtype).ToDoubleArray());
        Tensor other = dtype == DType.BFloat16 ? x.To(dtype).To(DType.Float16) : x.To(dtype).To(DType.BFloat16);
        Assert.Equal(5, other.Numel);
    }

    [Theory]
    [MemberData(nameof(HalfDTypes))]
    public void To_BothWays_GradientReturnsInTheSourceDType(DType dtype)
    {
        Tensor x = Tensor.From([0.1f, 2.5f], requiresGrad: true);
        Tensor h = x.To(dtype);
        Assert.Equal("ToCopyBackward", h.GradFn!.Name);
        (h.To(DType.Float32) * 3.0).Sum().Backward();
        Assert.Equal(DType.Float32, x.Grad!.DType);
        Assert.Equal([3f, 3f], x.Grad.ToArray<float>());

        Tensor leaf = Tensor.Full([2], 1.5, dtype, requiresGrad: true);
        (leaf.To(DType.Float32) * 2.0).Sum().Backward();
        Assert.Equal(dtype, leaf.Grad!.DType);
        Assert.Equal([2.0, 2.0], leaf.Grad.ToDoubleArray());
    }

    [Fact]
    public void ToString_HalfDTypes_PrintLikePyTorch()
    {
        Assert.Equal("tensor([ 0.1001,  2.5000, -3.0000], dtype=torch.bfloat16)", Tensor.From([0.1, 2.5, -3.0], dtype: DType.BFloat16).ToString());
        Assert.Equal("tensor([1., 2.], dtype=torch.float16)", Tensor.From([1.0, 2.0], dtype: DType.Float16).ToString());
        Assert.Equal("tensor([1.0014e-05, 1.0000e+00], dtype=torch.bfloat16)", Tensor.From([1e-5, 1.0], dtype: DType.BFloat16).ToString());
        Assert.Equal("tensor([0.1001, 2.5000], dtype=torch.bfloat16, grad_fn=<ToCopyBackward>)",
            Tensor.From([0.1f, 2.5f], requiresGrad: true).To(DType.BFloat16).ToString());
        Assert.Equal("tensor(nan, dtype=torch.bfloat16)", Tensor.Scalar(double.NaN, DType.BFloat16).ToString());
        Assert.Equal("tensor(inf, dtype=torch.bfloat16)", Tensor.Scalar(3.4e38, DType.BFloat16).ToString());
    }

    [Fact]
    public void SafeTensors_HalfTensors_SaveAndLoadWithoutWidening()
    {
        using var dir = new TempDirectory();
        string path = dir.File("h.safetensors");
        Tensor b = Tensor.From([0.1, -2.5, 3e38], dtype: DType.BFloat16);
        Tensor h = Tensor.From([0.1, -2.5, 60000], dtype: DType.Float16).Reshape(3, 1);
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["b"] = b, ["h"] = h, ["f"] = Tensor.Ones([1]) });
        var loaded = SafeTensors.Load(path);
        Assert.Equal(DType.BFloat16, loaded["b"].DType);
        Assert.Equal(DType.Float16, loaded["h"].DType);
        Assert.Equal(b.ToArray<BFloat16>(), loaded["b"].ToArray<BFloat16>());
        Assert.Equal(h.ToArray<Half>(), loaded["h"].ToArray<Half>());
        Assert.Equal([3, 1], loaded["h"].Shape.ToArray());
        // Two bytes per element in the data section: 3 + 3 half elements and one float32.
        long header = BitConverter.ToInt64(File.ReadAllBytes(path), 0);
        Assert.Equal(8 + header + 6 * 2 + 4, new FileInfo(path).Length);
        Assert.Contains("\"dtype\":\"BF16\"", File.ReadAllText(path));
        Assert.Contains("\"dtype\":\"F16\"", File.ReadAllText(path));
    }

    [Fact]
    public void LoadStateDict_BFloat16FileIntoFloat32Model_ConvertsLikeCopy()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.safetensors");
        var source = new Linear(3, 2);
        var half = source.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.To(DType.BFloat16));
        SafeTensors.Save(path, half);
        var target = new Linear(3, 2);
        target.LoadStateDict(SafeTensors.Load(path));
        Assert.Equal(DType.Float32, target.Weight.DType);
        Assert.Equal(half["weight"].To(DType.Float32).ToArray<float>(), target.Weight.ToArray<float>());
        float[] want = source.Weight.ToArray<float>(), got = target.Weight.ToArray<float>();
        for (int i = 0; i < want.Length; i++) Assert.InRange(got[i] - want[i], -Math.Abs(want[i]) / 256, Math.Abs(want[i]) / 256);
    }
}
