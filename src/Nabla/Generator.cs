namespace Nabla;

/// <summary>
/// A seedable pseudo-random generator (xoshiro256** seeded through SplitMix64). The integer stream, and
/// so every uniform value, is identical across runs, machines and .NET versions for the same seed.
/// </summary>
/// <remarks>Normal values use the Box-Muller transform over two uniforms.</remarks>
public sealed class Generator
{
    private ulong _s0, _s1, _s2, _s3;
    private double? _spareNormal;

    /// <summary>Creates a generator from a seed.</summary>
    public Generator(ulong seed = 0) => ManualSeed(seed);

    /// <summary>The process-wide default generator used when no generator is passed.</summary>
    public static Generator Default { get; } = new(0);

    /// <summary>
    /// The generator a random op draws from: <paramref name="generator"/>, or <see cref="Default"/> when null. Every
    /// random op of the library resolves its generator here, which is how a checkpointed segment learns which
    /// generators to set back before recomputing (Note [Checkpoint frames]).
    /// </summary>
    internal static Generator Use(Generator? generator)
    {
        Generator g = generator ?? Default;
        if (Graph.CheckpointFrame.Current is not null) Graph.CheckpointFrame.NoteGenerator(g);
        return g;
    }

    /// <summary>Resets the stream to the start of the sequence for <paramref name="seed"/>.</summary>
    public Generator ManualSeed(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
        _spareNormal = null;
        return this;
    }

    /// <summary>The full state, so that a stream can be saved and resumed exactly.</summary>
    public ulong[] GetState() => [_s0, _s1, _s2, _s3, _spareNormal is null ? 0UL : 1UL, (ulong)BitConverter.DoubleToInt64Bits(_spareNormal ?? 0)];

    /// <summary>Restores a state returned by <see cref="GetState"/>.</summary>
    public void SetState(ulong[] state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Length != 6) throw new ArgumentException($"Generator.SetState: expected 6 words, got {state.Length}");
        (_s0, _s1, _s2, _s3) = (state[0], state[1], state[2], state[3]);
        _spareNormal = state[4] != 0 ? BitConverter.Int64BitsToDouble((long)state[5]) : null;
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform float in [0, 1) with 24 random bits.</summary>
    public float NextSingle() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>A uniform integer in [<paramref name="low"/>, <paramref name="high"/>), without modulo bias.</summary>
    public long NextInt64(long low, long high)
    {
        if (high <= low) throw new ArgumentException($"randint: empty range [{low}, {high})");
        ulong range = (ulong)(high - low);
        ulong limit = ulong.MaxValue - ulong.MaxValue % range;
        ulong r;
        do r = NextUInt64(); while (r >= limit);
        return low + (long)(r % range);
    }

    /// <summary>A standard normal value (mean 0, variance 1).</summary>
    public double NextNormal()
    {
        if (_spareNormal is { } spare)
        {
            _spareNormal = null;
            return spare;
        }
        double u1 = 1.0 - NextDouble(); // (0, 1]
        double u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        double theta = 2.0 * Math.PI * u2;
        _spareNormal = r * Math.Sin(theta);
        return r * Math.Cos(theta);
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher-Yates).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = (int)NextInt64(0, i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
