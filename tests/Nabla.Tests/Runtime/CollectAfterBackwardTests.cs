using Nabla.Runtime;

namespace Nabla.Tests.Runtime;

/// <summary>
/// The collection at the end of a backward pass that released a large graph (Note [Collect after backward]). The switch
/// and the count these tests read are the thread's own, so they run beside other tests.
/// </summary>
public class CollectAfterBackwardTests
{
    [Fact]
    public void ShouldCollect_OnlyForLargeReleasedGraphs_WhenEnabled_AndSpaced()
    {
        const int big = CollectAfterBackward.MinNodes;
        Assert.True(CollectAfterBackward.ShouldCollect(true, big, now: 100, lastEnd: 0, lastDuration: 0, spacing: 4, collections: 0));
        Assert.False(CollectAfterBackward.ShouldCollect(true, big - 1, now: 100, lastEnd: 0, lastDuration: 0, spacing: 4, collections: 0));
        Assert.False(CollectAfterBackward.ShouldCollect(false, big, now: 100, lastEnd: 0, lastDuration: 0, spacing: 4, collections: 0));
        // The last collection took 10 ticks and ended at 100: the next may come 40 ticks later, not sooner.
        Assert.False(CollectAfterBackward.ShouldCollect(true, big, now: 139, lastEnd: 100, lastDuration: 10, spacing: 4, collections: 1));
        Assert.True(CollectAfterBackward.ShouldCollect(true, big, now: 140, lastEnd: 100, lastDuration: 10, spacing: 4, collections: 1));
        Assert.True(CollectAfterBackward.ShouldCollect(true, big, now: 101, lastEnd: 100, lastDuration: 10, spacing: 0, collections: 1));
    }

    /// <summary>A chain of <paramref name="ops"/> 0-d ops from <paramref name="x"/>: y = x·c + c, repeated (one node per op).</summary>
    private static Tensor Chain(Tensor x, int ops)
    {
        Tensor y = x;
        for (int i = 0; i < ops / 2; i++) y = y * 1.0001 + 0.5;
        return y;
    }

    [Fact]
    public void Backward_OfALargeGraph_CollectsOnce_AndGradientsAreThoseOfTheChainRule()
    {
        using (CollectAfterBackward.Enable(spacing: 0))
        {
            Tensor x = Tensor.Scalar(1.0, requiresGrad: true, dtype: DType.Float64);
            int ops = CollectAfterBackward.MinNodes + 2;
            Tensor y = Chain(x, ops);
            long before = CollectAfterBackward.CollectionsOnThisThread;
            y.Backward();
            Assert.Equal(before + 1, CollectAfterBackward.CollectionsOnThisThread);
            Assert.Equal(Math.Pow(1.0001, ops / 2), x.Grad!.Item(), 12);
        }
    }

    [Fact]
    public void Backward_DoesNotCollect_ForASmallGraph_ARetainedOrCreatedGraph_OrWhenTurnedOff()
    {
        int big = CollectAfterBackward.MinNodes + 2;
        Tensor x = Tensor.Scalar(1.0, requiresGrad: true, dtype: DType.Float64);
        long before = CollectAfterBackward.CollectionsOnThisThread;
        using (CollectAfterBackward.Enable(spacing: 0))
        {
            Chain(x, CollectAfterBackward.MinNodes - 100).Backward();
            Assert.Equal(before, CollectAfterBackward.CollectionsOnThisThread);

            Tensor retained = Chain(x, big);
            retained.Backward(retainGraph: true);
            Assert.Equal(before, CollectAfterBackward.CollectionsOnThisThread);
            retained.Backward(); // the second pass releases the graph: now it collects
            Assert.Equal(before + 1, CollectAfterBackward.CollectionsOnThisThread);

            Tensor g = Autograd.Grad(Chain(x, big), x, createGraph: true);
            Assert.Equal(before + 1, CollectAfterBackward.CollectionsOnThisThread);
            Assert.Equal(Math.Pow(1.0001, big / 2), g.Item(), 12);
        }
        // Turned off: the scope has ended.
        Chain(x, big).Backward();
        Assert.Equal(before + 1, CollectAfterBackward.CollectionsOnThisThread);
    }

    [Fact]
    public void Backward_OfALargeGraph_WithoutEnable_DoesNotCollect()
    {
        // Note [Runtime policy]: off in the library unless the application enables it (it used to be on by default).
        Assert.False(CollectAfterBackward.IsEnabled);
        long before = CollectAfterBackward.CollectionsOnThisThread;
        Tensor x = Tensor.Scalar(1.0, requiresGrad: true, dtype: DType.Float64);
        Chain(x, CollectAfterBackward.MinNodes + 2).Backward();
        Assert.Equal(before, CollectAfterBackward.CollectionsOnThisThread);
    }

    [Fact]
    public void Enable_AppliesToItsOwnThreadOnly_AndNests()
    {
        using (CollectAfterBackward.Enable())
        {
            bool elsewhere = true;
            long collectedElsewhere = -1;
            var other = new Thread(() =>
            {
                elsewhere = CollectAfterBackward.IsEnabled;
                Chain(Tensor.Scalar(1.0, requiresGrad: true, dtype: DType.Float64), CollectAfterBackward.MinNodes + 2).Backward();
                collectedElsewhere = CollectAfterBackward.CollectionsOnThisThread;
            });
            other.Start();
            other.Join();
            Assert.False(elsewhere);
            Assert.Equal(0, collectedElsewhere);
            using (CollectAfterBackward.Enable()) Assert.True(CollectAfterBackward.IsEnabled);
            Assert.True(CollectAfterBackward.IsEnabled); // the outer scope still holds
        }
        Assert.False(CollectAfterBackward.IsEnabled);
    }

    [Fact]
    public void ObsoleteAutogradSwitch_StillTurnsTheCollectionOnAndOff_OnItsThread()
    {
#pragma warning disable CS0618 // the forwarder kept for programs written against it
        Assert.False(Autograd.CollectAfterBackward);
        Tensor x = Tensor.Scalar(1.0, requiresGrad: true, dtype: DType.Float64);
        int big = CollectAfterBackward.MinNodes + 2;
        long before = CollectAfterBackward.CollectionsOnThisThread;
        Autograd.CollectAfterBackward = true;
        try
        {
            Assert.True(CollectAfterBackward.IsEnabled);
            // Spacing keeps the default of 4 here: a collection is certain only when none ran in the process recently, so
            // only the switch and the counting are checked through a run that may or may not collect.
            Chain(x, big).Backward();
            Assert.InRange(CollectAfterBackward.CollectionsOnThisThread, before, before + 1);
        }
        finally
        {
            Autograd.CollectAfterBackward = false;
        }
        Assert.False(CollectAfterBackward.IsEnabled);
        long after = CollectAfterBackward.CollectionsOnThisThread;
        Chain(x, big).Backward();
        Assert.Equal(after, CollectAfterBackward.CollectionsOnThisThread);
#pragma warning restore CS0618
    }
}
