using System.Collections;

namespace Nabla;

/// <summary>An immutable list of dimension sizes, printed as <c>[2, 3]</c>.</summary>
public readonly struct Shape : IReadOnlyList<int>, IEquatable<Shape>
{
    private readonly int[]? _dims;

    /// <summary>Creates a shape from the given sizes (the array is copied).</summary>
    public Shape(params ReadOnlySpan<int> dims) => _dims = dims.ToArray();

    internal Shape(int[] dims, bool noCopy) => _dims = noCopy ? dims : (int[])dims.Clone();

    internal int[] Dims => _dims ?? [];

    /// <summary>The number of dimensions.</summary>
    public int Count => Dims.Length;

    /// <summary>The size of dimension <paramref name="index"/>.</summary>
    public int this[int index] => Dims[index];

    /// <summary>The number of elements: the product of the sizes (1 for a 0-d shape).</summary>
    public long Numel()
    {
        long n = 1;
        foreach (int d in Dims) n *= d;
        return n;
    }

    /// <summary>A copy of the sizes as an array.</summary>
    public int[] ToArray() => (int[])Dims.Clone();

    /// <inheritdoc/>
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)Dims).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public bool Equals(Shape other) => Dims.AsSpan().SequenceEqual(other.Dims);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (int d in Dims) h.Add(d);
        return h.ToHashCode();
    }

    /// <summary>Equality of sizes.</summary>
    public static bool operator ==(Shape left, Shape right) => left.Equals(right);

    /// <summary>Inequality of sizes.</summary>
    public static bool operator !=(Shape left, Shape right) => !left.Equals(right);

    /// <summary>Converts an array of sizes to a shape.</summary>
    public static implicit operator Shape(int[] dims) => new(dims);

    /// <summary>Prints as <c>[2, 3]</c>.</summary>
    public override string ToString() => "[" + string.Join(", ", Dims) + "]";

    internal static string Format(ReadOnlySpan<int> dims) => "[" + string.Join(", ", dims.ToArray()) + "]";
}
