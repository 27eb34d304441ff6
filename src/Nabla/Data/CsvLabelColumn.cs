using System.Globalization;
using System.Numerics.Tensors;

namespace Nabla.Data;

/// <summary>
/// Collects a CSV's label column row by row and decides at the end what the labels are: class indices, regression
/// targets or class names (the rules are in <see cref="CsvDataset"/>'s remarks).
/// </summary>
/// <remarks>
/// Memory is a few bytes per row: the numeric value (while every label is a number) and the index of the distinct
/// label text (while there are at most <c>maxClasses</c> distinct texts); the text of each distinct label is kept once.
/// A problem that only matters for one outcome (an integer out of range matters for class indices, a NaN for
/// regression targets) is remembered with its line and reported only if that outcome is chosen.
/// </remarks>
/// <param name="maxClasses">The most classes: class indices must be below it, and class names fewer.</param>
/// <param name="where">The start of a message for a line: file, line and column.</param>
internal sealed class CsvLabelColumn(int maxClasses, Func<int, string> where)
{
    private ChunkedList<double>? _values = new();
    private ChunkedList<int>? _ids = new();
    private Dictionary<string, int>? _index = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];
    private long _nameChars;
    private bool _integral = true;
    private (int Line, string Text)? _outOfRange, _nonFinite;

    /// <summary>The number of labels added.</summary>
    public int Count { get; private set; }

    /// <summary>The bytes held so far.</summary>
    public long AllocatedBytes => (_values?.AllocatedBytes ?? 0) + (_ids?.AllocatedBytes ?? 0) + _nameChars * sizeof(char) + _names.Count * 64L;

    /// <summary>Adds the label of one row, found on line <paramref name="line"/>.</summary>
    public void Add(ReadOnlySpan<char> text, int line)
    {
        if (_values is not null)
        {
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) AddNumber(v, text, line);
            else _values = null; // not every label is a number: they are class names
        }
        if (_index is not null) AddName(text, line);
        else if (_values is null)
        {
            throw new InvalidDataException(
                $"{where(line)}: label '{Clip(text)}' is not a number, but the labels before it are numbers with more than {maxClasses:N0} distinct values, too many to be class names");
        }
        Count++;
    }

    private void AddNumber(double v, ReadOnlySpan<char> text, int line)
    {
        _values!.Add(v);
        bool whole = double.IsFinite(v) && v == Math.Floor(v);
        _integral &= whole;
        if (whole && (v < 0 || v >= maxClasses)) _outOfRange ??= (line, Clip(text));
        if (!float.IsFinite((float)v)) _nonFinite ??= (line, Clip(text));
    }

    private void AddName(ReadOnlySpan<char> text, int line)
    {
        var lookup = _index!.GetAlternateLookup<ReadOnlySpan<char>>();
        if (!lookup.TryGetValue(text, out int id))
        {
            if (_names.Count == maxClasses)
            {
                if (_values is null)
                    throw new InvalidDataException($"{where(line)}: the label column holds more than {maxClasses:N0} distinct class names, the most a dataset may have");
                // Too many distinct values to be class names: the labels can only be numbers from here on.
                _index = null;
                _ids = null;
                _names.Clear();
                _nameChars = 0;
                return;
            }
            id = _names.Count;
            string name = text.ToString();
            _names.Add(name);
            _index.Add(name, id);
            _nameChars += name.Length;
        }
        _ids!.Add(id);
    }

    /// <summary>The label tensor (int64 class indices or float32 targets) and the class names when the labels were names.</summary>
    /// <exception cref="InvalidDataException">Class indices out of range, or a regression target that is not finite.</exception>
    public (Tensor Labels, string[]? ClassNames) Build()
    {
        if (_values is not null)
        {
            if (_integral && _outOfRange is var (line, text))
                throw new InvalidDataException(
                    $"{where(line)}: label {text} is out of range: whole-number labels are class indices and must be from 0 to {maxClasses - 1} (at most {maxClasses:N0} classes)");
            if (!_integral && _nonFinite is var (targetLine, targetText))
                throw new InvalidDataException(
                    $"{where(targetLine)}: label '{targetText}' is not a finite float32 number; numeric labels must be finite (no NaN or infinity, magnitude at most 3.4e38)");
            var values = new double[Count];
            _values.CopyTo(values);
            var numbers = Tensor.Empty(_integral ? DType.Int64 : DType.Float32, [Count]);
            if (_integral) TensorPrimitives.ConvertTruncating(values, numbers.Span<long>());
            else TensorPrimitives.ConvertTruncating(values, numbers.Span<float>());
            return (numbers, null);
        }

        // Class names: indices follow the ordinal order of the names.
        var order = new int[_names.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (a, b) => string.CompareOrdinal(_names[a], _names[b]));
        var rank = new long[order.Length];
        var classNames = new string[order.Length];
        for (int k = 0; k < order.Length; k++)
        {
            rank[order[k]] = k;
            classNames[k] = _names[order[k]];
        }
        var ids = new int[Count];
        _ids!.CopyTo(ids);
        var labels = Tensor.Empty(DType.Int64, [Count]);
        Span<long> target = labels.Span<long>();
        for (int i = 0; i < ids.Length; i++) target[i] = rank[ids[i]];
        return (labels, classNames);
    }

    internal static string Clip(ReadOnlySpan<char> text) => text.Length <= 40 ? text.ToString() : string.Concat(text[..37], "...");
}
