using Nabla.Models;
using Nabla.NN;

namespace Nabla.Tests.Graph;

/// <summary>
/// The autocast weight cache (Note [Autocast weight cache]): a parameter is cast once per outermost scope, gradients are
/// those of the uncached path, and the cache is dropped or bypassed whenever reuse would be wrong.
/// </summary>
public class AutocastCacheTests
{
    private static Tensor Weight()
    {
        Tensor w = Tensor.Randn([8, 8], DType.Float32, new Generator(2));
        w.RequiresGrad = true;
        return w;
    }
    private static Tensor Input(ulong seed) => Tensor.Randn([4, 8], DType.Float32, new Generator(seed));

    private static int CountNodes(Tensor output, string name)
    {
        var seen = new HashSet<Nabla.Graph.Node>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<Nabla.Graph.Node>();
        if (output.GradFn is { } root) stack.Push(root);
        int count = 0;
        while (stack.Count > 0)
        {
            Nabla.Graph.Node n = stack.Pop();
            if (!seen.Add(n)) continue;
            if (n.Name == name) count++;
            foreach (Nabla.Graph.Node? next in n.NextFunctions()) if (next is not null) stack.Push(next);
        }
        return count;
    }

    [Fact]
    public void Enable_WeightUsedTwice_CastOnce()
    {
        Tensor w = Weight();
        Tensor cached, uncached;
        using (Autocast.Enable(DType.BFloat16)) cached = Input(3).MatMul(w) + Input(4).MatMul(w);
        using (Autocast.Enable(DType.BFloat16, cacheEnabled: false)) uncached = Input(3).MatMul(w) + Input(4).MatMul(w);
        Assert.Equal(1, CountNodes(cached, "ToCopyBackward"));
        Assert.Equal(2, CountNodes(uncached, "ToCopyBackward"));
        Assert.Equal(uncached.ToArray<BFloat16>(), cached.ToArray<BFloat16>());
    }

    [Fact]
    public void Enable_NestedScopes_ShareTheOutermostCache()
    {
        Tensor w = Weight();
        Tensor y;
        using (Autocast.Enable(DType.BFloat16))
        {
            Tensor a = Input(3).MatMul(w);
            using (Autocast.Disable())
            using (Autocast.Enable(DType.BFloat16)) y = a + Input(4).MatMul(w);
        }
        Assert.Equal(1, CountNodes(y, "ToCopyBackward"));
    }

    [Fact]
    public void Enable_ScopeEnds_CacheDropped()
    {
        Tensor w = Weight();
        Tensor a, b;
        using (Autocast.Enable(DType.BFloat16)) a = Input(3).MatMul(w);
        using (Autocast.Enable(DType.BFloat16)) b = Input(3).MatMul(w);
        Assert.Equal(2, CountNodes(a + b, "ToCopyBackward")); // one cast per scope
    }

    [Fact]
    public void Enable_InPlaceUpdateInScope_CastsTheNewValues()
    {
        Tensor w = Weight();
        Tensor before, after, expected;
        using (Autocast.Enable(DType.BFloat16))
        {
            before = Input(3).MatMul(w);
            using (Autograd.NoGrad()) w.MulInPlace(Tensor.Full([8, 8], 2.0));
            after = Input(3).MatMul(w);
        }
        using (Autocast.Disable()) expected = Input(3).To(DType.BFloat16).MatMul(w.To(DType.BFloat16));
        Assert.Equal(expected.ToArray<BFloat16>(), after.ToArray<BFloat16>());
        Assert.NotEqual(before.ToArray<BFloat16>(), after.ToArray<BFloat16>());
    }

    [Fact]
    public void Enable_CastUnderNoGrad_NotReusedWithGrad()
    {
        Tensor w = Weight();
        Tensor y;
        using (Autocast.Enable(DType.BFloat16))
        {
            using (Autograd.NoGrad()) _ = Input(3).MatMul(w);
            y = Input(3).MatMul(w);
        }
        y.Sum().Backward();
        Assert.NotNull(w.Grad);
    }

    [Theory]
    [InlineData(DType.BFloat16)]
    [InlineData(DType.Float16)]
    public void Enable_SmallGpt_LossAndGradientsBitIdenticalWithAndWithoutCache(DType dtype)
    {
        var config = new GptConfig(VocabSize: 13, BlockSize: 8, NLayer: 2, NHead: 2, NEmbd: 16);
        Tensor idx = Tensor.RandInt(0, 13, [3, 8], new Generator(6));
        (double Loss, float[][] Grads) Run(bool cache)
        {
            var model = new Gpt(config, generator: new Generator(5));
            Tensor loss;
            using (Autocast.Enable(dtype, cacheEnabled: cache)) (_, loss) = model.Forward(idx, idx);
            loss.Backward();
            return (loss.Item(), model.Parameters().Select(p => p.Grad!.ToArray<float>()).ToArray());
        }
        var (cachedLoss, cachedGrads) = Run(cache: true);
        var (plainLoss, plainGrads) = Run(cache: false);
        Assert.Equal(BitConverter.DoubleToInt64Bits(plainLoss), BitConverter.DoubleToInt64Bits(cachedLoss));
        Assert.Equal(plainGrads.Length, cachedGrads.Length);
        for (int i = 0; i < plainGrads.Length; i++)
            Assert.Equal(plainGrads[i].Select(BitConverter.SingleToInt32Bits), cachedGrads[i].Select(BitConverter.SingleToInt32Bits));
    }
}
