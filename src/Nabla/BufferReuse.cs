using Nabla.Runtime;

namespace Nabla;

/// <summary>Obsolete: the buffer pool is <see cref="BufferPool"/> in <c>Nabla.Runtime</c> (docs/runtime.md); this forwards to it.</summary>
[Obsolete("Use Nabla.Runtime.BufferPool.Begin() (docs/runtime.md).")]
public sealed class BufferReuse : IDisposable
{
    private readonly BufferPool _pool;

    private BufferReuse(BufferPool pool) => _pool = pool;

    /// <summary>Forwards to <see cref="BufferPool.Begin"/>.</summary>
    public static BufferReuse Begin(long capBytes = BufferPool.DefaultCapBytes) => new(BufferPool.Begin(capBytes));

    /// <summary>Forwards to <see cref="BufferPool.CapBytes"/>.</summary>
    public long CapBytes => _pool.CapBytes;

    /// <summary>Forwards to <see cref="BufferPool.Reused"/>.</summary>
    public long Reused => _pool.Reused;

    /// <summary>Forwards to <see cref="BufferPool.Created"/>.</summary>
    public long Created => _pool.Created;

    /// <summary>Forwards to <see cref="BufferPool.Collections"/>.</summary>
    public long Collections => _pool.Collections;

    /// <summary>Forwards to <see cref="BufferPool.Dispose"/>.</summary>
    public void Dispose() => _pool.Dispose();
}
