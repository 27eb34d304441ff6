using Nabla.Data;
using Nabla.Runtime;

namespace Nabla.Tests.Runtime;

public class BufferPoolTests
{
    [Fact]
    public void Scope_ALargeBufferDroppedAtOnce_IsReusedAtItsSecondRequest_NotDoubled()
    {
        // Evaluation at a large batch drops each batch's activations before the next batch asks for the same sizes; for
        // buffers of 4 MiB or more a miss collects even while the bucket holds one buffer (it used to make a second one,
        // which at the cnn preset's evaluation batch was 86 MB, the process's peak).
        using var reuse = BufferPool.Begin();
        reuse.CollectionSpacing = 0;
        const int n = (4 << 20) / sizeof(float) + 1;
        for (int i = 0; i < 3; i++) FillAndDrop(n, i);
        Assert.Equal(1, reuse.Created);
        Assert.Equal(2, reuse.Reused);

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        static void FillAndDrop(int n, int value)
        {
            Tensor t = Tensor.Full([n], value);
            Assert.Equal(value, t.ToArray<float>()[n - 1]);
        }
    }

    [Fact]
    public void Scope_RecyclesBuffersOfDeadTensors_AndKeepsLiveOnesIntact()
    {
        using var reuse = BufferPool.Begin();
        // Without the spacing rule, so that reuse starts within the 20 steps whatever a collection costs here (in a full
        // test run the heap is large and a collection slow: the rule would rightly grow the pool instead).
        reuse.CollectionSpacing = 0;
        Tensor keep = Tensor.Full([100_000], 3f);
        for (int step = 0; step < 20; step++)
        {
            Tensor a = Tensor.Full([100_000], step);
            Tensor b = a * 2.0;                     // a large temporary that dies every step
            Assert.Equal(2f * step, b.ToArray<float>()[99_999]);
        }
        Assert.All(keep.ToArray<float>(), v => Assert.Equal(3f, v));
        Assert.True(reuse.Reused > 0, $"reused {reuse.Reused}, created {reuse.Created}");
    }

    [Fact]
    public void Scope_ZeroedAllocation_FromRecycledBuffer_IsZero()
    {
        using var reuse = BufferPool.Begin();
        for (int i = 0; i < 10; i++)
        {
            Tensor junk = Tensor.Full([50_000], 7f);
            Assert.Equal(7f, junk.ToArray<float>()[0]);
        }
        for (int i = 0; i < 10; i++)
            Assert.All(Tensor.Zeros([50_000]).ToArray<float>(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Scope_TrainingSteps_GiveTheSameResultAsWithout()
    {
        float[] Run(bool reuse)
        {
            using BufferPool? scope = reuse ? BufferPool.Begin() : null;
            var w = Tensor.Randn([256, 128], generator: new Generator(3), requiresGrad: true);
            var x = Tensor.Randn([128, 256], generator: new Generator(4));
            for (int i = 0; i < 10; i++)
            {
                w.Grad = null;
                x.MatMul(w).Tanh().Pow(2).Mean().Backward();
                using (Autograd.NoGrad()) w.SubInPlace(w.Grad! * 0.1);
            }
            return w.ToArray<float>();
        }
        Assert.Equal(Run(false), Run(true));
    }

    [Fact]
    public void SpacingRule_AllowsACollectionOnlyAfterFourTimesTheLastOnesDuration()
    {
        Assert.True(BufferPool.MayCollect(now: 5, lastEnd: 0, lastDuration: 0, spacing: 4, collections: 0)); // the first
        Assert.False(BufferPool.MayCollect(now: 1_399, lastEnd: 1_000, lastDuration: 100, spacing: 4, collections: 3));
        Assert.True(BufferPool.MayCollect(now: 1_400, lastEnd: 1_000, lastDuration: 100, spacing: 4, collections: 3));
        Assert.True(BufferPool.MayCollect(now: 1_001, lastEnd: 1_000, lastDuration: 100, spacing: 0, collections: 3)); // off
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void Scope_ResultsDroppedAtOnce_StillRecycledAndCorrect(int spacing)
    {
        // The inference pattern the spacing rule is for: every result dropped at once, a few kept. With the rule on
        // (the default, 4) whether a buffer is reused or the pool grows depends on how long collections take, so only
        // the values are checked; with it off, reuse is certain.
        using var reuse = BufferPool.Begin();
        reuse.CollectionSpacing = spacing;
        var a = Tensor.Full([300, 100], 1f);
        var kept = new List<Tensor>();
        for (int i = 0; i < 400; i++)
        {
            Tensor y = a * (float)i;
            if (i % 50 == 0) kept.Add(y);
            Assert.Equal((float)i, y.ToArray<float>()[29_999]);
        }
        for (int k = 0; k < kept.Count; k++) Assert.All(kept[k].ToArray<float>(), v => Assert.Equal(50f * k, v));
        if (spacing == 0) Assert.True(reuse.Reused > 0, $"reused {reuse.Reused}, created {reuse.Created}");
    }

    [Fact]
    public void Dispose_OnAnotherThread_Throws()
    {
        BufferPool scope = BufferPool.Begin();
        Exception? error = null;
        var t = new Thread(() => { try { scope.Dispose(); } catch (InvalidOperationException e) { error = e; } });
        t.Start();
        t.Join();
        scope.Dispose();
        Assert.NotNull(error);
    }

    [Fact]
    public void ObsoleteBufferReuse_StillRecyclesAndCounts()
    {
#pragma warning disable CS0618 // the forwarder kept for programs written against it
        using (var reuse = Nabla.BufferReuse.Begin(capBytes: 1 << 24))
        {
            Assert.NotNull(BufferPool.Current);
            Assert.Equal(1L << 24, BufferPool.Current!.CapBytes);
            Assert.Equal(1L << 24, reuse.CapBytes);
            for (int i = 0; i < 5; i++) Assert.Equal(i, Tensor.Full([100_000], i).ToArray<float>()[99_999]);
            Assert.Equal(5, reuse.Reused + reuse.Created);
            Assert.Equal(BufferPool.Current.Collections, reuse.Collections);
        }
#pragma warning restore CS0618
        Assert.Null(BufferPool.Current);
    }

    /// <summary>Records, for every batch it builds, which thread built it and the cap of that thread's pool (null: none).</summary>
    private sealed class PoolProbe : Dataset
    {
        public readonly System.Collections.Concurrent.ConcurrentQueue<(int Thread, long? PoolCap)> Builds = new();

        public override int Count => 6;

        public override (Tensor Features, Tensor Label) GetItem(int index) => (Tensor.Full([4], index), Tensor.Scalar(index, DType.Int64));

        public override (Tensor Features, Tensor Labels) GetBatch(ReadOnlySpan<int> indices)
        {
            Builds.Enqueue((Environment.CurrentManagedThreadId, BufferPool.Current?.CapBytes));
            return base.GetBatch(indices);
        }
    }

    [Fact]
    public void DataLoaderPrefetch_PoolsOnItsThread_OnlyWhileTheConsumersThreadDoes()
    {
        // Note [Runtime policy]: the loader's thread used to open a pool (and force full collections) whatever the
        // application had asked for; now it follows the thread that enumerates.
        var outside = new PoolProbe();
        foreach (var _ in new DataLoader(outside, 2)) { }
        Assert.Equal(3, outside.Builds.Count);
        Assert.All(outside.Builds, b => Assert.NotEqual(Environment.CurrentManagedThreadId, b.Thread)); // built by the prefetch thread
        Assert.All(outside.Builds, b => Assert.Null(b.PoolCap));

        var inside = new PoolProbe();
        using (BufferPool.Begin(capBytes: 1 << 20))
            foreach (var _ in new DataLoader(inside, 2)) { }
        Assert.Equal(3, inside.Builds.Count);
        Assert.All(inside.Builds, b => Assert.NotEqual(Environment.CurrentManagedThreadId, b.Thread));
        Assert.All(inside.Builds, b => Assert.Equal(1L << 20, b.PoolCap));
    }
}

/// <summary>
/// How far the pool grows over many steps. These run alone (<see cref="ProcessWideGroup"/>): how many buffers a pool
/// makes depends on when the process's collections find their owners dead, and collections are process-wide, so tests
/// allocating or collecting on other threads would make the counts noisy.
/// </summary>
[Collection(ProcessWideGroup.Name)]
public class BufferPoolGrowthTests
{
    [Fact]
    public void Scope_TrainingSteps_ReuseBuffersAndThePoolStopsGrowing()
    {
        using var reuse = BufferPool.Begin();
        // The turnover rule alone: the spacing rule (tested below) makes growth depend on how long collections take.
        reuse.CollectionSpacing = 0;
        var w1 = Tensor.Randn([64, 200], generator: new Generator(3), requiresGrad: true);
        var w2 = Tensor.Randn([200, 100], generator: new Generator(5), requiresGrad: true);
        var x = Tensor.Randn([256, 64], generator: new Generator(4));
        void Step()
        {
            w1.Grad = w2.Grad = null;
            x.MatMul(w1).Relu().MatMul(w2).Tanh().Pow(2).Mean().Backward();
            using (Autograd.NoGrad())
            {
                w1.SubInPlace(w1.Grad! * 0.01);
                w2.SubInPlace(w2.Grad! * 0.01);
            }
        }
        const int steps = 60;
        for (int i = 0; i < steps; i++) Step();
        // Every step hands out the same buffers: after the first steps they come from the pool, which stops growing
        // (a rule without an equilibrium, such as collecting only after the whole pool turned over, failed this:
        // its pool kept growing step after step).
        long createdHalfway = reuse.Created;
        for (int i = 0; i < steps; i++) Step();
        Assert.True(reuse.Reused > 4 * reuse.Created, $"reused {reuse.Reused}, created {reuse.Created}");
        Assert.True(reuse.Created - createdHalfway <= createdHalfway / 4, $"created {createdHalfway} buffers in {steps} steps, then {reuse.Created - createdHalfway} more in {steps} more");
    }

    [Fact]
    public void Scope_AlternatingPhases_ThePoolStopsGrowing()
    {
        // Inference-like calls (results dropped at once) alternating with training steps (a weight gradient kept until the
        // next step), as a loop that evaluates between epochs does. Measured against the whole pool alone, the turnover
        // count was inflated by buckets the current phase hardly used, so the buckets it did use grew round after round
        // (to the scope's cap in a longer harness); each bucket's own turnover now bounds it.
        using var reuse = BufferPool.Begin();
        reuse.CollectionSpacing = 0;
        var x = Tensor.Randn([128, 200], generator: new Generator(1));
        var w = Tensor.Randn([400, 200], generator: new Generator(2), requiresGrad: true);
        Tensor g = Tensor.Ones([128, 400]);
        void Round()
        {
            for (int i = 0; i < 60; i++)
                using (Autograd.NoGrad()) Functional.Linear(x, w).Relu();
            for (int i = 0; i < 30; i++)
            {
                w.Grad = null;
                x.MatMul(w.MT).Backward(g);
            }
        }
        for (int r = 0; r < 3; r++) Round();
        long created = reuse.Created;
        for (int r = 0; r < 6; r++) Round();
        Assert.True(reuse.Created - created <= 2, $"created {created} buffers in 3 rounds, then {reuse.Created - created} more in 6 more");
    }
}

/// <summary>Tests that measure process-wide state (the GC's timing, the default generator) and so run with no other test.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideGroup
{
    public const string Name = "Process-wide state (alone)";
}
