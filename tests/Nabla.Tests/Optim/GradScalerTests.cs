using Nabla.Optim;

namespace Nabla.Tests.Optim;

/// <summary>GradScaler (src/Nabla/Optim/GradScaler.cs): each of PyTorch's rules in one test.</summary>
public class GradScalerTests
{
    private static (Tensor P, Sgd Optimizer) Setup()
    {
        Tensor p = Tensor.From([1f, 2f], requiresGrad: true);
        return (p, new Sgd([p], lr: 0.5));
    }

    [Fact]
    public void Scale_DefaultScaler_MultipliesTheLossBy65536()
    {
        var scaler = new GradScaler();
        Assert.Equal(65536, scaler.GetScale());
        Assert.Equal(3.0 * 65536, scaler.Scale(Tensor.Scalar(3f)).Item());
    }

    [Fact]
    public void Step_CleanGradients_UnscalesAndSteps()
    {
        var (p, opt) = Setup();
        var scaler = new GradScaler();
        scaler.Scale((p * p).Sum()).Backward(); // d/dp = 2p, scaled
        Assert.True(scaler.Step(opt));
        Assert.Equal([2f, 4f], p.Grad!.ToArray<float>()); // unscaled before the step
        Assert.Equal([0f, 0f], p.ToArray<float>());        // p - 0.5 * 2p
        scaler.Update();
        Assert.Equal(65536, scaler.GetScale());
    }

    [Fact]
    public void Unscale_BeforeClipping_ClipsTrueGradientsAndTwiceThrows()
    {
        var (p, opt) = Setup();
        var scaler = new GradScaler();
        scaler.Scale((p * 3.0).Sum()).Backward();
        scaler.Unscale(opt);
        Assert.Equal([3f, 3f], p.Grad!.ToArray<float>());
        double norm = GradClip.ClipGradNorm([p], 1.0);
        Assert.InRange(norm, 4.2426, 4.2427);
        Assert.Throws<InvalidOperationException>(() => scaler.Unscale(opt));
        Assert.True(scaler.Step(opt)); // no second unscale
        Assert.InRange(p.ToArray<float>()[0], 1 - 0.5 * 0.7072f, 1 - 0.5 * 0.7070f);
    }

    [Theory]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NaN)]
    public void Step_InfOrNaNGradient_SkipsTheStepAndUpdateHalvesTheScale(float bad)
    {
        var (p, opt) = Setup();
        var scaler = new GradScaler();
        (p * Tensor.From([bad, 1f])).Sum().Backward();
        Assert.False(scaler.Step(opt));
        Assert.Equal([1f, 2f], p.ToArray<float>());
        scaler.Update();
        Assert.Equal(32768, scaler.GetScale());
    }

    [Fact]
    public void Update_AfterGrowthIntervalCleanSteps_DoublesAndAnOverflowResetsTheCount()
    {
        var (p, opt) = Setup();
        var scaler = new GradScaler(initScale: 8, growthInterval: 3);
        void Iteration(float g)
        {
            opt.ZeroGrad();
            scaler.Scale((p * g).Sum()).Backward();
            scaler.Step(opt);
            scaler.Update();
        }
        Iteration(1);
        Iteration(1);
        Assert.Equal(8, scaler.GetScale());
        Iteration(1);
        Assert.Equal(16, scaler.GetScale()); // the third clean step
        Iteration(1);
        Iteration(float.PositiveInfinity);
        Assert.Equal(8, scaler.GetScale());
        Iteration(1);
        Iteration(1);
        Assert.Equal(8, scaler.GetScale()); // the count restarted at the overflow
        Iteration(1);
        Assert.Equal(16, scaler.GetScale());
        Assert.Equal(2000, new GradScaler().GrowthInterval);
    }

    [Fact]
    public void StateDict_RoundTripsAndRejectsBadState()
    {
        var scaler = new GradScaler(initScale: 1024, growthInterval: 10);
        var (p, opt) = Setup();
        scaler.Scale(p.Sum()).Backward();
        scaler.Step(opt);
        scaler.Update();
        var state = scaler.StateDict();
        Assert.Equal(1024, state["scale"]);
        Assert.Equal(1, state["_growth_tracker"]);
        var restored = new GradScaler();
        restored.LoadStateDict(state);
        Assert.Equal(state, restored.StateDict());
        var bad = new Dictionary<string, double>(state) { ["_growth_tracker"] = 10 };
        Assert.Throws<ArgumentException>(() => restored.LoadStateDict(bad));
        Assert.Throws<ArgumentException>(() => restored.LoadStateDict(new Dictionary<string, double>()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradScaler(backoffFactor: 1));
    }

    [Fact]
    public void Disabled_PassesThrough()
    {
        var (p, opt) = Setup();
        var scaler = new GradScaler(enabled: false);
        Tensor loss = p.Sum();
        Assert.Same(loss, scaler.Scale(loss));
        loss.Backward();
        Assert.True(scaler.Step(opt));
        scaler.Update();
        Assert.Equal(1, scaler.GetScale());
        Assert.Empty(scaler.StateDict());
    }

    [Fact]
    public void Float16Gradients_TooSmallForFloat16_SurviveOnlyWithScaling()
    {
        // d loss/d w16 = 1e-5 * 1e-3 = 1e-8, below float16's smallest subnormal (6e-8): it flushes to zero unless scaled.
        Tensor w = Tensor.From([1f], requiresGrad: true);
        Tensor c = Tensor.From([1e-3f]).To(DType.Float16);
        Tensor Loss() => (w.To(DType.Float16) * c).Sum().To(DType.Float32) * 1e-5;
        Loss().Backward();
        Assert.Equal(0f, w.Grad!.ToArray<float>()[0]);
        w.Grad = null;
        var scaler = new GradScaler();
        scaler.Scale(Loss()).Backward();
        scaler.Unscale(new Sgd([w], lr: 1));
        Assert.InRange(w.Grad!.ToArray<float>()[0], 0.99e-8f, 1.01e-8f);
    }
}
