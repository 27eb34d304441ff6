using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Nabla.Playground;

/// <summary>The live sessions by id, capped at <see cref="PlaygroundLimits.MaxSessions"/>; idle ones are evicted.</summary>
public sealed class SessionStore : IDisposable
{
    private readonly ConcurrentDictionary<string, PlaygroundSession> _sessions = new(StringComparer.Ordinal);
    private readonly PlaygroundLimits _limits;
    private readonly object _createGate = new();

    /// <summary>Creates an empty store.</summary>
    public SessionStore(PlaygroundLimits limits) => _limits = limits ?? throw new ArgumentNullException(nameof(limits));

    /// <summary>The number of live sessions.</summary>
    public int Count => _sessions.Count;

    /// <summary>Creates a session (429 when the cap is reached after evicting idle sessions; 400 for a bad configuration).</summary>
    public PlaygroundSession Create(NetworkConfig config)
    {
        lock (_createGate)
        {
            EvictIdle();
            if (_sessions.Count >= _limits.MaxSessions)
                throw new PlaygroundException(429, $"too many sessions: the limit is {_limits.MaxSessions}; close a tab or delete a session (DELETE /api/sessions/{{id}}) and try again");
            string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
            var session = new PlaygroundSession(id, config, _limits);
            _sessions[id] = session;
            return session;
        }
    }

    /// <summary>The session with <paramref name="id"/>, touched; 404 when there is none.</summary>
    public PlaygroundSession Get(string id)
    {
        if (id is null || !_sessions.TryGetValue(id, out PlaygroundSession? s))
            throw new PlaygroundException(404, $"no session '{id}'; it was deleted or expired; reload the page or POST /api/sessions");
        s.Touch();
        return s;
    }

    /// <summary>Deletes a session; 404 when there is none.</summary>
    public void Delete(string id)
    {
        if (id is null || !_sessions.TryRemove(id, out PlaygroundSession? s))
            throw new PlaygroundException(404, $"no session '{id}'");
        s.Dispose();
    }

    /// <summary>Deletes the sessions idle longer than <see cref="PlaygroundLimits.IdleTimeout"/>.</summary>
    public void EvictIdle()
    {
        foreach (var (id, s) in _sessions)
            if (s.Idle > _limits.IdleTimeout && _sessions.TryRemove(id, out _)) s.Dispose();
    }

    /// <summary>Stops and deletes every session.</summary>
    public void Dispose()
    {
        foreach (var (id, s) in _sessions)
            if (_sessions.TryRemove(id, out _)) s.Dispose();
    }
}
