using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Nabla.Runtime;

namespace Nabla.Kernels;

/// <summary>
/// Forks the bands of one GEMM: band 0 runs on the calling thread, the others on dedicated helper threads
/// (one fewer than the cores). A helper spins briefly for its next band before it blocks, so products issued
/// back to back (the layers of a training step) do not each pay a thread-pool wake-up, a sizeable part of a small
/// product's time (docs/benchmarks.md, GEMM). Only one GEMM at a time uses the helpers; a
/// concurrent or nested one falls back to <see cref="Parallel.For(int, int, Action{int})"/>.
/// </summary>
internal static class GemmThreads
{
    /// <summary>How long an idle helper spins for new work before it blocks.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 10_000;

    private static readonly Lock s_gate = new();
    private static Helper[]? s_helpers;

    /// <summary>Runs <c>body(0) .. body(parts - 1)</c> in parallel and returns when all have finished.</summary>
    public static void For(int parts, Action<int> body)
    {
        if (parts <= 1)
        {
            if (parts == 1) body(0);
            return;
        }
        if (TryFor(parts, body)) return;
        // NOTE: the helpers are busy with another product; fall back to the thread pool, and rethrow a
        // band's exception as itself, as the helper path does, rather than wrapped in an AggregateException.
        try
        {
            Parallel.For(0, parts, ThreadBudget.Options, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    /// <summary>
    /// Runs <c>body(0) .. body(parts - 1)</c> on the caller and the helpers and returns true, or returns false at once
    /// (running nothing) when the helpers are busy with another caller.
    /// </summary>
    public static bool TryFor(int parts, Action<int> body)
    {
        if (!s_gate.TryEnter()) return false;
        try
        {
            Helper[] helpers = s_helpers ??= CreateHelpers(Environment.ProcessorCount - 1);
            int used = Math.Min(parts - 1, helpers.Length);
            for (int h = 0; h < used; h++) helpers[h].Post(body, h + 1);
            Exception? error = null;
            try
            {
                body(0);
                for (int t = used + 1; t < parts; t++) body(t);
            }
            finally
            {
                for (int h = 0; h < used; h++)
                {
                    Exception? e = helpers[h].Join();
                    error ??= e;
                }
            }
            if (error is not null) ExceptionDispatchInfo.Capture(error).Throw();
            return true;
        }
        finally
        {
            s_gate.Exit();
        }
    }

    private static Helper[] CreateHelpers(int count)
    {
        var helpers = new Helper[Math.Max(count, 0)];
        for (int i = 0; i < helpers.Length; i++) helpers[i] = new Helper(i + 1);
        return helpers;
    }

    /// <summary>A background thread that runs one posted band at a time.</summary>
#pragma warning disable CA1001 // helpers live as long as the process; their wake-up event is never released
    private sealed class Helper
#pragma warning restore CA1001
    {
        private const int Idle = 0, Posted = 1, Done = 2;

        private readonly ManualResetEventSlim _wake = new(false, 0);
        private Action<int>? _body;
        private int _index;
        private Exception? _error;
        private volatile int _state;

        public Helper(int id)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Nabla GEMM helper {id}" };
            thread.Start();
        }

        public void Post(Action<int> body, int index)
        {
            _body = body;
            _index = index;
            _error = null;
            _state = Posted; // volatile write: publishes the fields above
            _wake.Set();
        }

        /// <summary>Waits for the posted band and returns what it threw, if anything.</summary>
        public Exception? Join()
        {
            var spin = new SpinWait();
            while (_state != Done) spin.SpinOnce(sleep1Threshold: -1);
            _state = Idle;
            return _error;
        }

        private void Loop()
        {
            while (true)
            {
                long start = Stopwatch.GetTimestamp();
                var spin = new SpinWait();
                while (_state != Posted)
                {
                    if (Stopwatch.GetTimestamp() - start < SpinTicks)
                    {
                        // Yields now and then (SpinWait does after a few rounds): when the forking thread shares
                        // this core, pure spinning would keep it from posting or finishing its own band.
                        spin.SpinOnce(sleep1Threshold: -1);
                    }
                    else
                    {
                        // Set by every Post: a wake-up that raced with this check returns at once.
                        _wake.Wait();
                        _wake.Reset();
                        start = Stopwatch.GetTimestamp();
                    }
                }
                try
                {
                    _body!(_index);
                }
#pragma warning disable CA1031 // handed to the forking thread, which rethrows it
                catch (Exception e)
#pragma warning restore CA1031
                {
                    _error = e;
                }
                _body = null;
                _state = Done;
            }
        }
    }
}
