using Nabla.Graph;
using Nabla.NN;

namespace Nabla.Distributed;

// Note [Gradient buckets]
// DistributedDataParallel averages gradients as PyTorch's Reducer does. The parameters that require a gradient are
// grouped, in reverse registration order (roughly the order backward produces their gradients), into buckets of at
// most bucketCapMb megabytes and one dtype; the first bucket is capped at 1 MB (PyTorch's first-bucket size) so that
// communication starts early in backward. A post-accumulate-grad hook on each parameter (Note [Post-accumulate hooks])
// copies its final gradient into its bucket's flat buffer; when a bucket is full it is all-reduced without blocking
// (MPI_Iallreduce), buckets strictly in index order on every rank, so that all ranks issue the same collectives in the
// same order (MPI's rule). Later hooks test the requests in flight, which is what lets MPI progress: the library
// starts no thread. The first hook of a pass queues an engine callback (Note [Engine callbacks]) that, once the
// whole backward pass is done, launches what is left, waits for every bucket in order and writes each average
// (sum / world size) back into the parameters' Grad, so the optimizer step that follows sees the same gradient on
// every rank. Inside NoSync() the hooks do nothing and gradients accumulate locally; the first backward pass after it
// reduces the accumulated gradients.
// Unused parameters: a parameter that gets no gradient in a pass leaves its bucket unfilled. Without
// findUnusedParameters that is an error at the end of backward naming the parameters, as in PyTorch; with it, the
// missing slots are reduced as zeros, a map of which ranks used what is summed too, and a parameter no rank used keeps
// its Grad untouched (null after ZeroGrad), so the optimizer skips it on every rank alike.

/// <summary>
/// Data-parallel training over a <see cref="ProcessGroup"/> (PyTorch's <c>DistributedDataParallel</c>): every rank
/// holds a replica of the model, runs forward and backward on its own shard of the batch, and backward
/// ends with every parameter's <see cref="Tensor.Grad"/> replaced by its average over the ranks.
/// </summary>
/// <remarks>
/// <para>At construction the parameters and buffers of rank 0 are copied to every rank. During backward, gradients are
/// all-reduced in buckets as they become ready, overlapping communication with the rest of backward; the pass ends
/// once every average is in place. With the same optimizer on every rank, the replicas stay bit-identical.
/// See Note [Gradient buckets].</para>
/// <para>Parameters must be float32 or float64. With <c>broadcastBuffers</c> (the default, as in PyTorch) each forward
/// pass in training mode first copies rank 0's buffers (running statistics) to every rank.</para>
/// <para>The wrapper registers the module as <c>module</c>, so its <see cref="ModuleBase.StateDict"/> names carry the
/// prefix <c>module.</c> as PyTorch's do; save <see cref="Module"/>'s state to get the plain names.</para>
/// </remarks>
/// <example><code>
/// using ProcessGroup world = ProcessGroup.Init();
/// var ddp = new DistributedDataParallel(model, world);
/// var optimizer = new Adam(ddp.Parameters(), lr: 1e-3);
/// optimizer.ZeroGrad();
/// Functional.CrossEntropy(ddp.Forward(x), y).Backward();   // Grad is the average over the ranks
/// optimizer.Step();
/// </code></example>
public sealed class DistributedDataParallel : Module
{
    /// <summary>The first bucket's cap in bytes (PyTorch's): small, so that communication starts early in backward.</summary>
    public const long FirstBucketBytes = 1L << 20;

    private readonly Tensor[] _params;
    private readonly string[] _names;
    private readonly GradBucket[] _buckets;
    private readonly (int Bucket, int Offset)[] _slots;
    private readonly bool[] _ready;
    private readonly bool _findUnused;
    private readonly bool _broadcastBuffers;
    private int _noSync;
    private bool _inPass;
    private int _nextLaunch;

    /// <summary>Wraps <paramref name="module"/>: copies rank 0's parameters and buffers to every rank and hooks every parameter.</summary>
    /// <param name="module">The model; the same architecture on every rank.</param>
    /// <param name="processGroup">The ranks to average over.</param>
    /// <param name="bucketCapMb">A bucket's size cap in megabytes (PyTorch's default 25).</param>
    /// <param name="findUnusedParameters">Allow parameters that get no gradient in a pass (see Note [Gradient buckets]).</param>
    /// <param name="broadcastBuffers">Copy rank 0's buffers to every rank at each training forward pass.</param>
    public DistributedDataParallel(Module module, ProcessGroup processGroup, double bucketCapMb = 25, bool findUnusedParameters = false,
        bool broadcastBuffers = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(processGroup);
        if (!(bucketCapMb > 0) || double.IsInfinity(bucketCapMb))
            throw new ArgumentOutOfRangeException(nameof(bucketCapMb), $"DistributedDataParallel: bucketCapMb must be a positive number of megabytes, got {bucketCapMb}");
        Module = RegisterModule("module", module);
        ProcessGroup = processGroup;
        _findUnused = findUnusedParameters;
        _broadcastBuffers = broadcastBuffers;
        var trainable = module.NamedParameters().Where(p => p.Parameter.RequiresGrad).Reverse().ToArray();
        foreach (var (name, p) in trainable)
            if (!p.DType.IsFloatingPoint())
                throw new ArgumentException($"DistributedDataParallel: parameter '{name}' has dtype {p.DType.Name()}; only float32 and float64 parameters can be averaged", nameof(module));
        _params = [.. trainable.Select(p => p.Parameter)];
        _names = [.. trainable.Select(p => p.Name)];
        (_buckets, _slots) = GradBucket.Assign(_params, (long)(bucketCapMb * 1024 * 1024), FirstBucketBytes);
        _ready = new bool[_params.Length];

        using (Autograd.NoGrad())
        {
            foreach (Tensor p in module.Parameters()) processGroup.Broadcast(p, root: 0);
            foreach (Tensor b in module.Buffers()) processGroup.Broadcast(b, root: 0);
        }
        for (int i = 0; i < _params.Length; i++)
        {
            int index = i;
            _params[i].RegisterPostAccumulateGradHook(_ => OnGradReady(index));
        }
    }

    /// <summary>The wrapped model (PyTorch's <c>ddp.module</c>).</summary>
    public Module Module { get; }

    /// <summary>The ranks gradients are averaged over.</summary>
    public ProcessGroup ProcessGroup { get; }

    /// <summary>The number of gradient buckets.</summary>
    public int BucketCount => _buckets.Length;

    /// <summary>The parameter names of each bucket, in the order their gradients are reduced.</summary>
    public IReadOnlyList<IReadOnlyList<string>> BucketParameterNames() =>
        [.. _buckets.Select(b => (IReadOnlyList<string>)[.. b.Parameters.Select(i => _names[i])])];

    /// <summary>
    /// Turns gradient averaging off until the returned scope is disposed (PyTorch's <c>no_sync</c>): backward passes
    /// inside it accumulate gradients locally, and the first backward pass after it averages the accumulated sum.
    /// </summary>
    /// <example><code>
    /// using (ddp.NoSync()) { for (int k = 0; k &lt; 3; k++) Loss(ddp.Forward(x[k]), y[k]).Backward(); }
    /// Loss(ddp.Forward(x[3]), y[3]).Backward();   // averages the four micro-batches' gradients
    /// </code></example>
    public IDisposable NoSync()
    {
        _noSync++;
        return new Scope(() => _noSync--);
    }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input)
    {
        if (_broadcastBuffers && IsTraining && ProcessGroup.Size > 1)
            using (Autograd.NoGrad())
                foreach (Tensor b in Module.Buffers()) ProcessGroup.Broadcast(b, root: 0);
        return Module.Forward(input);
    }

    /// <summary>A parameter's gradient is final for this pass: copy it into its bucket and launch the buckets that are full.</summary>
    private void OnGradReady(int index)
    {
        if (_noSync > 0) return;
        if (!_inPass)
        {
            _inPass = true;
            Array.Clear(_ready);
            foreach (GradBucket b in _buckets) b.Reset();
            _nextLaunch = 0;
            Engine.QueueCallback(FinishPass);
        }
        if (_ready[index])
            throw new InvalidOperationException($"DistributedDataParallel: the gradient of '{_names[index]}' was produced twice in one backward pass");
        _ready[index] = true;
        var (bucket, offset) = _slots[index];
        _buckets[bucket].CopyIn(offset, _params[index].Grad!);
        LaunchFull();
        for (int b = 0; b < _nextLaunch; b++) _buckets[b].Request?.Test();
    }

    /// <summary>Launches full buckets in index order: bucket k waits for bucket k - 1 even if it is full first.</summary>
    private void LaunchFull()
    {
        while (_nextLaunch < _buckets.Length && _buckets[_nextLaunch].IsFull) _buckets[_nextLaunch++].Launch(ProcessGroup);
    }

    /// <summary>The end of a backward pass (an engine callback): reduce what is left, wait, and write the averages back.</summary>
    private void FinishPass()
    {
        _inPass = false;
        double[]? used = null;
        List<string>? unused = null;
        for (int i = 0; i < _params.Length; i++)
        {
            if (_ready[i]) continue;
            if (!_findUnused)
            {
                (unused ??= []).Add(_names[i]);
                continue;
            }
            var (bucket, offset) = _slots[i];
            _buckets[bucket].ZeroSlot(offset, _params[i].Numel);
        }
        if (unused is not null)
        {
            for (int b = 0; b < _nextLaunch; b++) _buckets[b].Request!.Wait();
            throw new InvalidOperationException(
                $"DistributedDataParallel: {unused.Count} parameter(s) received no gradient in this backward pass ({string.Join(", ", unused.Take(10))}" +
                $"{(unused.Count > 10 ? ", ..." : "")}), so their buckets could not be reduced; make every parameter take part in the loss, " +
                "or pass findUnusedParameters: true");
        }
        LaunchFull();
        if (_findUnused)
        {
            used = new double[_params.Length];
            for (int i = 0; i < used.Length; i++) used[i] = _ready[i] ? 1 : 0;
            ProcessGroup.AllReduce(used);
        }
        double scale = 1.0 / ProcessGroup.Size;
        for (int b = 0; b < _buckets.Length; b++) _buckets[b].Request!.Wait();
        for (int i = 0; i < _params.Length; i++)
        {
            if (used is not null && used[i] == 0) continue;
            var (bucket, offset) = _slots[i];
            Tensor p = _params[i];
            if (p.Grad is not { IsContiguous: true }) p.Grad = Tensor.ZerosLike(p);
            _buckets[bucket].CopyOut(offset, p.Grad, scale);
        }
    }
}
