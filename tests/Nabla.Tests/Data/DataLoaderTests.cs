using System.Runtime.CompilerServices;
using Nabla.Data;

namespace Nabla.Tests.Data;

public class DataLoaderTests
{
    private static List<long[]> LabelBatches(DataLoader loader) => loader.Select(b => b.Labels.ToArray<long>()).ToList();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Enumerate_NoShuffle_BatchesInOrderWithSmallerLast(bool prefetch)
    {
        var loader = new DataLoader(TensorDatasetTests.Numbered(10), batchSize: 4, prefetch: prefetch);
        Assert.Equal(3, loader.BatchCount);
        var batches = loader.ToList();
        Assert.Equal(3, batches.Count);
        Assert.Equal(new Shape(4, 2, 3), batches[0].Features.Shape);
        Assert.Equal(new Shape(2, 2, 3), batches[2].Features.Shape);
        Assert.Equal([[0L, 1, 2, 3], [4L, 5, 6, 7], [8L, 9]], LabelBatches(loader));
        Assert.Equal(36f, batches[1].Features.ToArray<float>()[12]); // sample 6, first element
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Enumerate_DropLast_SkipsPartialBatch(bool prefetch)
    {
        var loader = new DataLoader(TensorDatasetTests.Numbered(10), batchSize: 4, dropLast: true, prefetch: prefetch);
        Assert.Equal(2, loader.BatchCount);
        Assert.Equal([[0L, 1, 2, 3], [4L, 5, 6, 7]], LabelBatches(loader));
        Assert.Single(new DataLoader(TensorDatasetTests.Numbered(8), 4, dropLast: true).Skip(1));
    }

    [Fact]
    public void Enumerate_BatchLargerThanDataset_OneBatchOrNoneWithDropLast()
    {
        Assert.Single(new DataLoader(TensorDatasetTests.Numbered(3), 5));
        Assert.Empty(new DataLoader(TensorDatasetTests.Numbered(3), 5, dropLast: true));
    }

    [Fact]
    public void Shuffle_SameSeed_SameEpochs_AndEpochsDiffer()
    {
        var a = new DataLoader(TensorDatasetTests.Numbered(20), 6, shuffle: true, generator: new Generator(42));
        var b = new DataLoader(TensorDatasetTests.Numbered(20), 6, shuffle: true, generator: new Generator(42), prefetch: false);
        var a1 = LabelBatches(a);
        var a2 = LabelBatches(a);
        Assert.Equal(a1, LabelBatches(b));
        Assert.Equal(a2, LabelBatches(b));
        Assert.NotEqual(a1, a2);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), a1.SelectMany(x => x).Order());
        Assert.NotEqual(Enumerable.Range(0, 20).Select(i => (long)i), a1.SelectMany(x => x));
    }

    [Fact]
    public void Shuffle_RestoredGeneratorState_ReplaysTheEpoch()
    {
        var generator = new Generator(7);
        var loader = new DataLoader(TensorDatasetTests.Numbered(15), 4, shuffle: true, generator: generator);
        LabelBatches(loader);
        ulong[] saved = generator.GetState();
        var epoch2 = LabelBatches(loader);
        var epoch3 = LabelBatches(loader);

        var resumed = new Generator(0);
        resumed.SetState(saved);
        var fresh = new DataLoader(TensorDatasetTests.Numbered(15), 4, shuffle: true, generator: resumed);
        Assert.Equal(epoch2, LabelBatches(fresh));
        Assert.Equal(epoch3, LabelBatches(fresh));
    }

    [Fact]
    public void Shuffle_OrderIsDrawnWhenTheEpochStarts()
    {
        var generator = new Generator(3);
        var loader = new DataLoader(TensorDatasetTests.Numbered(10), 4, shuffle: true, generator: generator);
        ulong[] before = generator.GetState();
        using var enumerator = loader.GetEnumerator();
        Assert.NotEqual(before, generator.GetState());
        Assert.Same(generator, loader.Generator);
    }

    [Fact]
    public void Enumerate_TransformRunsOnEachBatch()
    {
        var ds = TensorDatasetTests.Numbered(4).WithTransform(x => x.Mul(0.0));
        Assert.All(new DataLoader(ds, 2), b => Assert.All(b.Features.ToArray<float>(), v => Assert.Equal(0f, v)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Enumerate_DatasetThrows_ExceptionReachesConsumerAfterEarlierBatches(bool prefetch)
    {
        var loader = new DataLoader(new FailingDataset(failAt: 5), batchSize: 2, prefetch: prefetch);
        using var e = loader.GetEnumerator();
        Assert.True(e.MoveNext());
        Assert.True(e.MoveNext());
        var ex = Assert.Throws<InvalidDataException>(() => e.MoveNext());
        Assert.Equal("sample 5 is corrupt", ex.Message);
        Assert.Contains(nameof(FailingDataset), ex.StackTrace);
        Assert.False(e.MoveNext());
    }

    [Fact]
    public void Enumerate_BreakEarly_StopsAndJoinsPrefetchThread()
    {
        var loader = new DataLoader(TensorDatasetTests.Numbered(100), batchSize: 1);
        Thread? worker = null;
        int seen = 0;
        var enumerator = (PrefetchingEnumerator)loader.GetEnumerator();
        using (enumerator)
        {
            while (enumerator.MoveNext())
            {
                worker = enumerator.WorkerThread;
                if (++seen == 2) break;
            }
        }
        Assert.NotNull(worker);
        Assert.False(worker.IsAlive);

        // The same through foreach, which disposes on break.
        foreach (var _ in loader) break;
    }

    [Fact]
    public void Enumerate_AbandonedWithoutDispose_ThreadEndsWhenCollected()
    {
        Thread worker = StartAndAbandon();
        for (int i = 0; i < 5 && worker.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            worker.Join(TimeSpan.FromSeconds(2));
        }
        Assert.False(worker.IsAlive);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Thread StartAndAbandon()
    {
        var enumerator = (PrefetchingEnumerator)new DataLoader(TensorDatasetTests.Numbered(100), batchSize: 1).GetEnumerator();
        enumerator.MoveNext();
        return enumerator.WorkerThread!;
    }

    [Fact]
    public void Prefetch_QueueIsBounded_WorkerStaysAtMostThreeBatchesAhead()
    {
        var ds = new CountingDataset(50);
        var enumerator = (PrefetchingEnumerator)new DataLoader(ds, batchSize: 1).GetEnumerator();
        using (enumerator)
        {
            Assert.True(enumerator.MoveNext());
            Thread worker = enumerator.WorkerThread!;
            // One batch taken, two queued, one built and waiting for room: then the worker must block.
            Assert.True(SpinWait.SpinUntil(
                () => ds.Built == 4 && (worker.ThreadState & ThreadState.WaitSleepJoin) != 0, TimeSpan.FromSeconds(30)));
            Assert.Equal(4, ds.Built);
            Assert.True(enumerator.MoveNext());
        }
    }

    [Fact]
    public void Enumerate_EmptyDataset_NoBatches()
    {
        var empty = new TensorDataset(Tensor.Zeros([0, 3]), Tensor.Zeros([0], DType.Int64));
        Assert.Empty(new DataLoader(empty, 4));
        Assert.Empty(new DataLoader(empty, 4, shuffle: true, generator: new Generator(1), prefetch: false));
    }

    [Fact]
    public void Constructor_BatchSizeBelowOne_Throws()
        => Assert.Contains("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(TensorDatasetTests.Numbered(), 0)).Message);

    [Fact]
    public void Enumerator_Reset_IsNotSupported()
    {
        using var e = new DataLoader(TensorDatasetTests.Numbered(), 3, prefetch: false).GetEnumerator();
        Assert.Throws<NotSupportedException>(e.Reset);
    }

    private sealed class FailingDataset(int failAt) : Dataset
    {
        public override int Count => 10;

        public override (Tensor Features, Tensor Label) GetItem(int index)
        {
            if (index == failAt) throw new InvalidDataException($"sample {index} is corrupt");
            return (Tensor.From([(float)index]), Tensor.From([(long)index], []));
        }
    }

    private sealed class CountingDataset(int count) : Dataset
    {
        private int _built;

        public int Built => Volatile.Read(ref _built);

        public override int Count => count;

        public override (Tensor Features, Tensor Label) GetItem(int index) => (Tensor.From([(float)index]), Tensor.From([(long)index], []));

        public override (Tensor Features, Tensor Labels) GetBatch(ReadOnlySpan<int> indices)
        {
            var batch = base.GetBatch(indices);
            Interlocked.Increment(ref _built);
            return batch;
        }
    }
}
