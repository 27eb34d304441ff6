namespace Nabla.Models;

// Note [Widened key/value cache]
// A bfloat16 or float16 model keeps its cache in float32. Attention computes in float32 whatever its inputs
// (Note [Half compute]), so a 16-bit cache would be widened whole, every layer, for every generated token, into fresh
// float32 buffers: at batch 1 a cost that grows with the context and rivals reading the layer's 16-bit weights.
// Widening is exact, so storing each new position's 16-bit keys and values widened once gives attention the same
// float32 operand values a 16-bit cache would be widened to; the price is a cache of float32's size.

/// <summary>
/// The keys and values one attention layer has computed for the positions seen so far, so that generating a token
/// computes attention for that one position only (a key/value cache).
/// </summary>
/// <remarks>
/// Keys and values are kept as <c>[B, n_head, capacity, head_size]</c>; <see cref="Length"/> positions are filled.
/// <see cref="Gpt.Generate"/> makes one per layer; a cache holds inference results only (it is filled without a graph).
/// </remarks>
public sealed class KVCache
{
    private readonly Tensor _keys, _values;

    /// <summary>Creates an empty cache for <paramref name="capacity"/> positions.</summary>
    /// <exception cref="ArgumentException">A size is not positive.</exception>
    public KVCache(int batch, int heads, int capacity, int headSize, DType dtype = DType.Float32)
    {
        if (batch <= 0 || heads <= 0 || capacity <= 0 || headSize <= 0)
            throw new ArgumentException($"KVCache: sizes must be positive, got batch {batch}, heads {heads}, capacity {capacity}, head size {headSize}");
        _keys = Tensor.Zeros([batch, heads, capacity, headSize], dtype);
        _values = Tensor.Zeros([batch, heads, capacity, headSize], dtype);
    }

    /// <summary>The number of positions cached.</summary>
    public int Length { get; private set; }

    /// <summary>The dtype the keys and values are stored in; appended ones are converted to it (exactly, for 16-bit keys and values in a float32 cache).</summary>
    public DType DType => _keys.DType;

    /// <summary>The number of positions the cache can hold.</summary>
    public int Capacity => _keys.Dims[2];

    /// <summary>Forgets every position (the buffers are reused).</summary>
    public void Clear() => Length = 0;

    /// <summary>
    /// Appends the keys and values of <c>t</c> new positions (<c>[B, n_head, t, head_size]</c> each) and returns the keys
    /// and values of all cached positions, <c>[B, n_head, Length, head_size]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not match the cache, or the new positions do not fit.</exception>
    public (Tensor Keys, Tensor Values) Append(Tensor keys, Tensor values)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(values);
        int[] dims = _keys.Dims.ToArray();
        bool fits = keys.Rank == 4 && keys.Shape.Equals(values.Shape) && keys.Dims[0] == dims[0] && keys.Dims[1] == dims[1] && keys.Dims[3] == dims[3];
        if (!fits)
            throw new ArgumentException($"KVCache: keys {keys.Shape} and values {values.Shape} must both be [{dims[0]}, {dims[1]}, t, {dims[3]}]");
        int t = keys.Dims[2];
        if (Length + t > Capacity)
            throw new ArgumentException($"KVCache: {t} new positions do not fit after the {Length} cached ones (capacity {Capacity}); crop the context first");
        using (Autograd.NoGrad())
        {
            _keys.Narrow(2, Length, t).CopyFrom(keys);
            _values.Narrow(2, Length, t).CopyFrom(values);
        }
        Length += t;
        return (_keys.Narrow(2, 0, Length), _values.Narrow(2, 0, Length));
    }
}
