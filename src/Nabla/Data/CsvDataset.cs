using System.Globalization;
using System.Text;

namespace Nabla.Data;

/// <summary>
/// A dataset read from a CSV file: every column but one holds numeric features, and the remaining one holds the label.
/// </summary>
/// <remarks>
/// <para>The parser follows RFC 4180: comma-separated fields, optionally quoted with <c>"</c>, a doubled quote inside
/// a quoted field standing for one quote, and line breaks allowed inside quoted fields. Unquoted fields are trimmed;
/// blank lines are skipped. Numbers use the invariant culture (<c>1.5</c>, <c>-2e3</c>). The file is read in one
/// streaming pass, in time linear in its length.</para>
/// <para>Features are float32 <c>[N, F]</c> in file column order, without the label column. Each must be a finite
/// float32 number: NaN, infinity and values beyond float32's range (such as <c>1e39</c>) are refused, naming the line
/// and column.</para>
/// <para>Labels: when every label is a whole number (<c>2</c>, and also <c>2.0</c> or <c>2e0</c>, as pandas writes
/// integer columns with missing values) they are int64 class indices and <see cref="ClassNames"/> is null; each must
/// be from 0 to <see cref="MaxClasses"/> - 1, and one outside that range (<c>-1</c>, <c>3e9</c>) is refused, naming the
/// line, the value and the range. When every label is a number but some are not whole, they are float32 regression
/// targets, which must be finite. Otherwise they are class names (at most <see cref="MaxClasses"/> distinct ones),
/// mapped to the indices of their ordinal-sorted list <see cref="ClassNames"/>.</para>
/// <para>Bounds (see Note [Reading outside bytes]): a field may take at most <see cref="MaxFieldChars"/> characters
/// and a record <see cref="MaxRecordChars"/>; the text read and the loaded data may each take at most half of the
/// memory available to the process (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>): a regular file larger
/// than that is refused from its size before it is read, and the data is measured row by row as it grows (it grows in
/// chunks of at most 2^20 values, so it passes the bound by at most one chunk). A pipe or a device is read until it ends or
/// a bound is passed, so <c>/dev/zero</c> is refused after one field.</para>
/// </remarks>
public sealed class CsvDataset : TensorDataset
{
    private readonly string[] _featureNames;
    private readonly string[]? _classNames;

    private CsvDataset(Tensor features, Tensor labels, string[] featureNames, string labelName, string[]? classNames)
        : base(features, labels)
    {
        _featureNames = featureNames;
        LabelName = labelName;
        _classNames = classNames;
    }

    /// <summary>The names of the feature columns, from the header, or <c>column0</c>, <c>column1</c>, ... (by file column index) without one.</summary>
    public IReadOnlyList<string> FeatureNames => _featureNames;

    /// <summary>The name of the label column (from the header, or <c>column{index}</c>).</summary>
    public string LabelName { get; }

    /// <summary>The class names in label order when the labels were strings, otherwise null.</summary>
    public IReadOnlyList<string>? ClassNames => _classNames;

    /// <summary>The most characters one field may take (quotes and surrounding spaces included).</summary>
    public const int MaxFieldChars = 65_536;

    /// <summary>The most characters one record (line) may take.</summary>
    public const int MaxRecordChars = 4_194_304;

    /// <summary>The most classes: whole-number labels must be below it, and there may be at most this many class names.</summary>
    public const int MaxClasses = 100_000;

    /// <summary>Loads <paramref name="path"/> with the label in the column named <paramref name="labelColumn"/>; the file must have a header.</summary>
    /// <param name="path">The CSV file (UTF-8, with or without a byte order mark).</param>
    /// <param name="labelColumn">The header name of the label column (exact, case-sensitive).</param>
    /// <param name="hasHeader">Whether the first line is a header; null to detect it (it must be present here).</param>
    /// <exception cref="InvalidDataException">The file is malformed or beyond a bound (see the remarks); the message names the file, the line and the column.</exception>
    /// <exception cref="ArgumentException">The header has no column named <paramref name="labelColumn"/>, or <paramref name="hasHeader"/> is false.</exception>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    public static CsvDataset Load(string path, string labelColumn, bool? hasHeader = null)
        => Load(path, labelColumn, hasHeader, CsvLimits.Default);

    /// <summary>As the public overload, within <paramref name="limits"/>, reading <paramref name="source"/> instead of the file when given.</summary>
    internal static CsvDataset Load(string path, string labelColumn, bool? hasHeader, CsvLimits limits, Stream? source = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(labelColumn);
        if (hasHeader == false)
            throw new ArgumentException($"CsvDataset: the label column is given by name ('{labelColumn}') but hasHeader is false; pass its index instead", nameof(hasHeader));
        return Read(path, limits, (first, line) =>
        {
            int index = Array.IndexOf(first, labelColumn);
            if (index < 0)
                throw new ArgumentException($"CsvDataset: {path} has no column named '{labelColumn}'; the header (line {line}) has: {string.Join(", ", first.Select(f => CsvLabelColumn.Clip(f)))}", nameof(labelColumn));
            return (index, true);
        }, source);
    }

    /// <summary>Loads <paramref name="path"/> with the label in column <paramref name="labelColumn"/> (0-based; negative counts from the end, so -1 is the last).</summary>
    /// <param name="path">The CSV file (UTF-8, with or without a byte order mark).</param>
    /// <param name="labelColumn">The index of the label column.</param>
    /// <param name="hasHeader">Whether the first line is a header; null to detect it: the first line is a header when one of its feature fields is not a number.</param>
    /// <exception cref="InvalidDataException">The file is malformed or beyond a bound (see the remarks); the message names the file, the line and the column.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labelColumn"/> is outside the first line's fields.</exception>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    public static CsvDataset Load(string path, int labelColumn = -1, bool? hasHeader = null)
        => Load(path, labelColumn, hasHeader, CsvLimits.Default);

    /// <summary>
    /// Reads CSV text from <paramref name="source"/> (an upload, a network stream) as <see cref="Load(string, int, bool?)"/>
    /// reads a file, with whole-number labels limited to 0 .. <paramref name="maxClasses"/> - 1.
    /// </summary>
    /// <param name="source">The CSV text (UTF-8); read to its end and disposed.</param>
    /// <param name="name">What messages call the input, such as "the uploaded CSV".</param>
    /// <param name="labelColumn">The index of the label column (negative counts from the end).</param>
    /// <param name="hasHeader">Whether the first line is a header; null to detect it.</param>
    /// <param name="maxClasses">The number of classes whole-number labels may index (1 to <see cref="MaxClasses"/>).</param>
    /// <exception cref="InvalidDataException">The text is malformed or beyond a bound; the message names the input, the line and the column.</exception>
    public static CsvDataset Load(Stream source, string name, int labelColumn = -1, bool? hasHeader = null, int maxClasses = MaxClasses)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxClasses, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxClasses, MaxClasses);
        return Load(name, labelColumn, hasHeader, CsvLimits.Default with { MaxClasses = maxClasses }, source);
    }

    /// <summary>As the public overload, within <paramref name="limits"/>, reading <paramref name="source"/> instead of the file when given.</summary>
    internal static CsvDataset Load(string path, int labelColumn, bool? hasHeader, CsvLimits limits, Stream? source = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Read(path, limits, (first, line) =>
        {
            int width = first.Length;
            int index = labelColumn < 0 ? labelColumn + width : labelColumn;
            if (index < 0 || index >= width)
                throw new ArgumentOutOfRangeException(nameof(labelColumn), $"CsvDataset: label column {labelColumn} is out of range for {path}, whose first line (line {line}) has {width} fields");
            return (index, hasHeader ?? LooksLikeHeader(first, index));
        }, source);
    }

    private static bool LooksLikeHeader(string[] fields, int labelIndex)
    {
        for (int j = 0; j < fields.Length; j++)
            if (j != labelIndex && !double.TryParse(fields[j], NumberStyles.Float, CultureInfo.InvariantCulture, out _)) return true;
        return false;
    }

    /// <summary>Reads the file in one pass; <paramref name="choose"/> picks the label column and says whether the first record is a header.</summary>
    private static CsvDataset Read(string path, CsvLimits limits, Func<string[], int, (int LabelIndex, bool Header)> choose, Stream? source)
    {
        using Stream stream = source ?? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        if (stream.CanSeek && stream.Length > limits.MemoryBytes)
            throw new InvalidDataException($"{path}: the file is {stream.Length:N0} bytes, more than the {limits.MemoryBytes:N0} this loader reads (half the memory available to the process); load a smaller file or add memory");
        using var text = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        var records = new CsvRecordReader(text, path, limits);
        if (!records.Read()) throw new InvalidDataException($"{path}: the file has no rows");
        int firstLine = records.Line;
        string[] first = records.Fields();
        var (labelIndex, hasHeader) = choose(first, firstLine);
        int width = first.Length;
        if (width < 2)
            throw new InvalidDataException($"{path}: line {firstLine} has {width} field; a dataset needs a label column and at least one feature column");
        string[]? header = hasHeader ? first : null;

        string ColumnName(int j) => header is null ? $"column{j}" : header[j];
        string Where(int line, int j) => header is null
            ? $"{path}: line {line}, column index {j}"
            : $"{path}: line {line}, column \"{CsvLabelColumn.Clip(header[j])}\" (index {j})";

        int featureCount = width - 1;
        var features = new ChunkedList<float>();
        var labels = new CsvLabelColumn(limits.MaxClasses, line => Where(line, labelIndex));
        var row = new float[featureCount];
        for (bool more = !hasHeader; more || records.Read(); more = false)
        {
            int line = records.Line;
            if (records.FieldCount != width)
                throw new InvalidDataException($"{path}: line {line}: expected {width} fields (as on line {firstLine}), got {records.FieldCount}");
            if (features.Count + featureCount > Array.MaxLength)
                throw new InvalidDataException($"{path}: line {line}: {labels.Count:N0} rows of {featureCount:N0} features already fill one tensor's {Array.MaxLength:N0} elements");
            for (int j = 0, f = 0; j < width; j++)
            {
                ReadOnlySpan<char> field = records.Field(j);
                if (j == labelIndex)
                {
                    if (field.IsEmpty) throw new InvalidDataException($"{Where(line, j)}: the label is empty");
                    labels.Add(field, line);
                    continue;
                }
                if (!float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
                    throw BadFeature(field, Where(line, j));
                row[f++] = value;
            }
            features.AddRange(row);
            long bytes = features.AllocatedBytes + labels.AllocatedBytes;
            if (bytes > limits.MemoryBytes)
                throw new InvalidDataException(
                    $"{path}: line {line}: the {labels.Count:N0} rows read so far ({featureCount:N0} features each) take {bytes:N0} bytes, more than the {limits.MemoryBytes:N0} this loader may use (half the memory available to the process); load a smaller file or add memory");
        }
        int rows = labels.Count;
        if (rows == 0) throw new InvalidDataException($"{path}: the file has a header but no data rows");

        string[] featureNames = new string[featureCount];
        for (int j = 0, f = 0; j < width; j++) if (j != labelIndex) featureNames[f++] = ColumnName(j);
        var (labelTensor, classNames) = labels.Build();
        var featureTensor = Tensor.Empty(DType.Float32, [rows, featureCount]);
        features.CopyTo(featureTensor.Span<float>());
        return new CsvDataset(featureTensor, labelTensor, featureNames, ColumnName(labelIndex), classNames);
    }

    private static InvalidDataException BadFeature(ReadOnlySpan<char> field, string where) => new(
        field.IsEmpty ? $"{where}: the value is missing"
        : float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            ? $"{where}: '{CsvLabelColumn.Clip(field)}' is not a finite float32 number; features must be finite (no NaN or infinity, magnitude at most 3.4e38)"
            : $"{where}: cannot read '{CsvLabelColumn.Clip(field)}' as a number");
}
