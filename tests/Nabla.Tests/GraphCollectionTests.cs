using Nabla.Graph;

namespace Nabla.Tests;

/// <summary>
/// The engine's collection at the end of a backward pass that released a large graph (Note [Collect after backward]).
/// These tests read the process-wide count of such collections and switch the rule's globals, so they run alone.
/// </summary>
[Collection(BufferReuseGroup.Name)]
public class GraphCollectionTests
{
    [Fact]
    public void ShouldCollect_OnlyForLargeReleasedGraphs_WhenEnabled_AndSpaced()
    {
        const int big = GraphCollection.MinNodes;
        Assert.True(GraphCollection.ShouldCollect(true, big, now: 100, lastEnd: 0, lastDuration: 0, spacing: 4, collections: 0));
        Assert.False(GraphCollection.ShouldCollect(true, big - 1, now: 100, lastEnd: 0, lastDuration: 0, spacing: 4, collections: 0));
        Assert.False(GraphCollection.ShouldCollect(false, big, now: 100, lastEnd: 0, lastDuration: 0, spacing: 4, collections: 0));
        // The last collection took 10 ticks and ended at 100: the next may come 40 ticks later, not sooner.
        Assert.False(GraphCollection.ShouldCollect(true, big, now: 139, lastEnd: 100, lastDuration: 10, spacing: 4, collections: 1));
        Assert.True(GraphCollection.ShouldCollect(true, big, now: 140, lastEnd: 100, lastDuration: 10, spacing: 4, collections: 1));
        Assert.True(GraphCollection.ShouldCollect(true, big, now: 101, lastEnd: 100, lastDuration: 10, spacing: 0, collections: 1));
    }

    /// <summary>A chain of <paramref name="ops"/> 0-d ops from <paramref name="x"/>: y = x·c + c, repeated (one node per op).</summary>
    private static Tensor Chain(Tensor x, int ops)
    {
        Tensor y = x;
        for (int i = 0; i < ops / 2; i++) y = y * 1.0001 + 0.5;
        return y;
    }

    private static void WithSpacingOff(Action body)
    {
        int spacing = GraphCollection.Spacing;
        GraphCollection.Spacing = 0;
        try { body(); }
        finally { GraphCollection.Spacing = spacing; }
    }

    [Fact]
    public void Backward_OfALargeGraph_CollectsOnce_AndGradientsAreThoseOfTheChainRule()
    {
        WithSpacingOff(() =>
        {
            Tensor x = Tensor.Scalar(1.0, requiresGrad: true, dtype: DType.Float64);
            int ops = GraphCollection.MinNodes + 2;
            Tensor y = Chain(x, ops);
            long before = GraphCollection.Collections;
            y.Backward();
            Assert.Equal(before + 1, GraphCollection.Collections);
            Assert.Equal(Math.Pow(1.0001, ops / 2), x.Grad!.Item(), 12);
        });
    }

    [Fact]
    public void Backward_DoesNotCollect_ForASmallGraph_ARetainedOrCreatedGraph_OrWhenTurnedOff()
    {
        WithSpacingOff(() =>
        {
            int big = GraphCollection.MinNodes + 2;
            Tensor x = Tensor.Scalar(1.0, requiresGrad: true, dtype: DType.Float64);
            long before = GraphCollection.Collections;

            Chain(x, GraphCollection.MinNodes - 100).Backward();
            Assert.Equal(before, GraphCollection.Collections);

            Tensor retained = Chain(x, big);
            retained.Backward(retainGraph: true);
            Assert.Equal(before, GraphCollection.Collections);
            retained.Backward(); // the second pass releases the graph: now it collects
            Assert.Equal(before + 1, GraphCollection.Collections);

            Tensor g = Autograd.Grad(Chain(x, big), x, createGraph: true);
            Assert.Equal(before + 1, GraphCollection.Collections);
            Assert.Equal(Math.Pow(1.0001, big / 2), g.Item(), 12);

            Autograd.CollectAfterBackward = false;
            try
            {
                Chain(x, big).Backward();
                Assert.Equal(before + 1, GraphCollection.Collections);
            }
            finally
            {
                Autograd.CollectAfterBackward = true;
            }
        });
    }
}
