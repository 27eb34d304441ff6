using Nabla.Graph;

namespace Nabla.Tests.Graph;

/// <summary>Post-accumulate-grad hooks (Note [Post-accumulate hooks]) and engine callbacks (Note [Engine callbacks]).</summary>
public class PostAccumulateGradHookTests
{
    [Fact]
    public void Hook_LeafUsedTwice_CalledOnceWithTheSummedGrad()
    {
        var w = Tensor.From(new float[] { 1, 2 }, requiresGrad: true);
        var seen = new List<float[]>();
        w.RegisterPostAccumulateGradHook(p => seen.Add(p.Grad!.ToArray<float>()));
        // d/dw sum(w*3 + w*w) = 3 + 2w
        (w * 3 + w * w).Sum().Backward();
        Assert.Single(seen);
        Assert.Equal([5f, 7f], seen[0]);
    }

    [Fact]
    public void Hook_GradAccumulatedInPlaceByAFastRule_StillCalledOncePerPass()
    {
        var w = Tensor.From(new float[] { 1, 2, 3 }, requiresGrad: true);
        var x = Tensor.From(new float[] { 4, 5, 6 });
        int calls = 0;
        float[]? last = null;
        w.RegisterPostAccumulateGradHook(p => { calls++; last = p.Grad!.ToArray<float>(); });
        (w + x).Sum().Backward();
        (w + x).Sum().Backward(); // Grad exists: AddBackward may add into it directly (Note [Fast paths])
        Assert.Equal(2, calls);
        Assert.Equal([2f, 2f, 2f], last!);
    }

    [Fact]
    public void Hook_LeafIsTheRoot_CalledWithItsGrad()
    {
        var w = Tensor.From(new float[] { 1, 2 }, requiresGrad: true);
        float[]? seen = null;
        w.RegisterPostAccumulateGradHook(p => seen = p.Grad!.ToArray<float>());
        w.Backward(Tensor.From(new float[] { 3, 4 }));
        Assert.Equal([3f, 4f], seen!);
    }

    [Fact]
    public void Hook_AutogradGradAccumulatesNothing_NotCalled()
    {
        var w = Tensor.From(new float[] { 1, 2 }, requiresGrad: true);
        int calls = 0;
        w.RegisterPostAccumulateGradHook(_ => calls++);
        Nabla.Autograd.Grad((w * w).Sum(), w);
        Assert.Equal(0, calls);
    }

    [Fact]
    public void Hook_Disposed_NotCalledAgain()
    {
        var w = Tensor.From(new float[] { 1 }, requiresGrad: true);
        int calls = 0;
        IDisposable handle = w.RegisterPostAccumulateGradHook(_ => calls++);
        (w * 2).Sum().Backward();
        handle.Dispose();
        (w * 2).Sum().Backward();
        Assert.Equal(1, calls);
        Assert.Equal([4f], w.Grad!.ToArray<float>());
    }

    [Fact]
    public void Hook_OnNonLeafOrTensorWithoutGrad_ThrowsNamingTheProblem()
    {
        var w = Tensor.From(new float[] { 1 }, requiresGrad: true);
        var e = Assert.Throws<InvalidOperationException>(() => (w * 2).RegisterPostAccumulateGradHook(_ => { }));
        Assert.Contains("MulBackward", e.Message);
        e = Assert.Throws<InvalidOperationException>(() => Tensor.From(new float[] { 1 }).RegisterPostAccumulateGradHook(_ => { }));
        Assert.Contains("does not require a gradient", e.Message);
    }

    [Fact]
    public void QueueCallback_FromAHook_RunsAfterEveryLeafHasItsGrad()
    {
        var a = Tensor.From(new float[] { 1 }, requiresGrad: true);
        var b = Tensor.From(new float[] { 2 }, requiresGrad: true);
        string? atEnd = null;
        bool queued = false;
        void Hook(Tensor _)
        {
            if (queued) return;
            queued = true;
            Engine.QueueCallback(() => atEnd = $"{a.Grad?.Item()} {b.Grad?.Item()} {Engine.IsInBackward}");
        }
        a.RegisterPostAccumulateGradHook(Hook);
        b.RegisterPostAccumulateGradHook(Hook);
        (a * b * 3).Sum().Backward();
        Assert.Equal("6 3 False", atEnd);
    }

    [Fact]
    public void QueueCallback_OutsideBackward_Throws()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Engine.QueueCallback(() => { }));
        Assert.Contains("inside a backward pass", e.Message);
    }

    [Fact]
    public void QueueCallback_PassThatFails_DropsTheCallback()
    {
        var w = Tensor.From(new float[] { 1 }, requiresGrad: true);
        int ran = 0;
        w.RegisterPostAccumulateGradHook(_ =>
        {
            Engine.QueueCallback(() => ran++);
            throw new InvalidOperationException("hook failed");
        });
        Assert.Throws<InvalidOperationException>(() => (w * 2).Sum().Backward());
        var v = Tensor.From(new float[] { 1 }, requiresGrad: true);
        (v * 2).Sum().Backward();
        Assert.Equal(0, ran);
    }
}
