using System.Diagnostics;

namespace Nabla.Playground;

/// <summary>
/// One user's playground: a chain-rule view and a network view, isolated from every other session. Every read and
/// change goes through one lock; a playing network trains on a background task that takes the same lock per tick.
/// </summary>
public sealed class PlaygroundSession : IDisposable
{
    // NOTE: one tick trains for up to this long (at least one epoch) and then releases the lock, so the stream and
    // the controls stay responsive while the network plays.
    private static readonly TimeSpan TrainSlice = TimeSpan.FromMilliseconds(8);
    private static readonly TimeSpan TickPeriod = TimeSpan.FromMilliseconds(25);

    private readonly object _gate = new();
    private readonly PlaygroundLimits _limits;
    private (float[] X, long[] Y, int Classes)? _upload;
    private NetworkTrainer _trainer;
    private CancellationTokenSource? _play;
    private long _lastTouched = Stopwatch.GetTimestamp();

    /// <summary>Creates a session with a validated configuration.</summary>
    public PlaygroundSession(string id, NetworkConfig config, PlaygroundLimits limits)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(limits);
        Id = id;
        _limits = limits;
        config.Validate(limits);
        if (config.NeedsUpload) throw new PlaygroundException("dataset 'csv' needs an uploaded file; create the session with another dataset, then upload");
        _trainer = new NetworkTrainer(config, PointSet.Generate(config));
    }

    /// <summary>The session id.</summary>
    public string Id { get; }

    /// <summary>Grows with every change of state; the stream sends a new state when it moves.</summary>
    public long Version { get; private set; }

    /// <summary>Grows when the data points change (the stream sends the points only then).</summary>
    public long DataVersion { get; private set; }

    /// <summary>Whether the network is training continuously.</summary>
    public bool Playing { get; private set; }

    /// <summary>A note for the page, such as why playing stopped; null when there is none.</summary>
    public string? Message { get; private set; }

    /// <summary>The chain-rule view.</summary>
    public ChainRule Chain { get; } = new();

    /// <summary>Whether the session has been deleted.</summary>
    public bool Closed { get; private set; }

    /// <summary>Time since the last request touched the session.</summary>
    public TimeSpan Idle => Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastTouched));

    /// <summary>Marks the session as in use.</summary>
    public void Touch() => Interlocked.Exchange(ref _lastTouched, Stopwatch.GetTimestamp());

    /// <summary>Runs <paramref name="action"/> under the session lock and bumps the version.</summary>
    public T Change<T>(Func<PlaygroundSession, T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(Closed, this);
            T result = action(this);
            Version++;
            return result;
        }
    }

    /// <summary>Runs <paramref name="read"/> under the session lock without changing the version.</summary>
    public T Read<T>(Func<PlaygroundSession, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        lock (_gate) return read(this);
    }

    /// <summary>The network view's trainer (call under <see cref="Change{T}"/> or <see cref="Read{T}"/>).</summary>
    public NetworkTrainer Network => _trainer;

    /// <summary>Rebuilds the network with a new configuration (validated; playing stops). Call under <see cref="Change{T}"/>.</summary>
    public void Configure(NetworkConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate(_limits);
        PointSet points;
        if (config.NeedsUpload)
        {
            if (_upload is not { } u) throw new PlaygroundException("dataset 'csv' needs an uploaded file; upload a CSV first");
            points = PointSet.Split(u.X, u.Y, u.Classes, config.TrainFraction);
        }
        else points = PointSet.Generate(config);
        var trainer = new NetworkTrainer(config, points);
        StopPlaying();
        bool dataChanged = !SameData(_trainer.Config, config);
        _trainer = trainer;
        Message = null;
        if (dataChanged) DataVersion++;
    }

    /// <summary>Uses an uploaded CSV as the dataset (dataset becomes <c>csv</c>). Call under <see cref="Change{T}"/>.</summary>
    public void Upload(byte[] content)
    {
        var parsed = CsvUpload.Parse(content, _limits, _trainer.Config.Seed);
        var previous = _upload;
        _upload = parsed;
        try
        {
            Configure(_trainer.Config with { Dataset = "csv", Points = Math.Clamp(parsed.Y.Length, 10, _limits.MaxPoints) });
        }
        catch
        {
            _upload = previous;
            throw;
        }
        DataVersion++;
    }

    /// <summary>Rebuilds the network with fresh weights (same configuration). Call under <see cref="Change{T}"/>.</summary>
    public void Reset() => Configure(_trainer.Config);

    /// <summary>Trains <paramref name="epochs"/> epochs now. Call under <see cref="Change{T}"/>.</summary>
    public void Step(int epochs)
    {
        if (epochs < 1 || epochs > _limits.MaxStepEpochs)
            throw new PlaygroundException($"epochs must be from 1 to {_limits.MaxStepEpochs}, got {epochs}");
        StopPlaying();
        for (int i = 0; i < epochs && !_trainer.Diverged; i++) _trainer.TrainEpoch();
        NoteDivergence();
    }

    /// <summary>Starts continuous training on a background task. Call under <see cref="Change{T}"/>.</summary>
    public void Play()
    {
        if (Playing) return;
        if (_trainer.Diverged) throw new PlaygroundException("the loss is not a number any more (the learning rate is too high); lower it, then press reset");
        Playing = true;
        Message = null;
        _play = new CancellationTokenSource();
        CancellationToken token = _play.Token;
        _ = Task.Run(() => PlayLoopAsync(token), CancellationToken.None);
    }

    /// <summary>Stops continuous training. Call under <see cref="Change{T}"/>.</summary>
    public void Pause() => StopPlaying();

    /// <summary>Stops training and marks the session closed.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            StopPlaying();
            Closed = true;
        }
    }

    private async Task PlayLoopAsync(CancellationToken token)
    {
        using var timer = new PeriodicTimer(TickPeriod);
        try
        {
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
            {
                lock (_gate)
                {
                    if (token.IsCancellationRequested || !Playing) return;
                    long start = Stopwatch.GetTimestamp();
                    do _trainer.TrainEpoch();
                    while (Stopwatch.GetElapsedTime(start) < TrainSlice && !_trainer.Diverged);
                    NoteDivergence();
                    Version++;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Paused, reconfigured or deleted.
        }
    }

    private void NoteDivergence()
    {
        if (!_trainer.Diverged) return;
        StopPlaying();
        Message = "training stopped: the loss is not a number any more (the learning rate is too high); lower it, then press reset";
    }

    private void StopPlaying()
    {
        Playing = false;
        _play?.Cancel();
        _play?.Dispose();
        _play = null;
    }

    private static bool SameData(NetworkConfig a, NetworkConfig b) =>
        a.Dataset == b.Dataset && a.Points == b.Points && a.Noise == b.Noise && a.TrainFraction == b.TrainFraction && a.Seed == b.Seed;
}
