namespace Nabla.Data;

/// <summary>
/// An append-only list stored in chunks that grow to a fixed size, so that growing never copies and never leaves a
/// discarded array behind: a loader's peak memory is its data plus the one copy into the final tensor.
/// </summary>
internal sealed class ChunkedList<T> where T : unmanaged
{
    private const int FirstChunk = 1 << 10, MaxChunk = 1 << 20;
    private readonly List<T[]> _chunks = [];
    private int _lastCount;

    /// <summary>The number of items added.</summary>
    public long Count { get; private set; }

    /// <summary>The bytes of the chunks allocated so far.</summary>
    public long AllocatedBytes { get; private set; }

    /// <summary>Appends <paramref name="items"/>.</summary>
    public void AddRange(ReadOnlySpan<T> items)
    {
        while (!items.IsEmpty)
        {
            if (_chunks.Count == 0 || _lastCount == _chunks[^1].Length) NewChunk();
            T[] last = _chunks[^1];
            int n = Math.Min(items.Length, last.Length - _lastCount);
            items[..n].CopyTo(last.AsSpan(_lastCount));
            _lastCount += n;
            Count += n;
            items = items[n..];
        }
    }

    /// <summary>Appends one item.</summary>
    public void Add(T item) => AddRange(new ReadOnlySpan<T>(in item));

    /// <summary>Copies every item, in order, to <paramref name="destination"/>.</summary>
    public void CopyTo(Span<T> destination)
    {
        long left = Count;
        foreach (T[] chunk in _chunks)
        {
            int n = (int)Math.Min(chunk.Length, left);
            chunk.AsSpan(0, n).CopyTo(destination);
            destination = destination[n..];
            left -= n;
        }
    }

    private unsafe void NewChunk()
    {
        int size = _chunks.Count == 0 ? FirstChunk : Math.Min(_chunks[^1].Length * 2, MaxChunk);
        _chunks.Add(new T[size]);
        _lastCount = 0;
        AllocatedBytes += (long)size * sizeof(T);
    }
}
