namespace Nabla;

/// <summary>A scope that runs an action once, when first disposed: what the thread- and flow-scoped switches return.</summary>
internal sealed class Scope(Action onDispose) : IDisposable
{
    private bool _disposed;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        onDispose();
    }
}
