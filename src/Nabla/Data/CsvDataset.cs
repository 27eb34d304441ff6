using System.Globalization;
using System.Text;

namespace Nabla.Data;

/// <summary>
/// A dataset read from a CSV file: every column but one holds numeric features, and the remaining one holds the label.
/// </summary>
/// <remarks>
/// <para>The parser follows RFC 4180: comma-separated fields, optionally quoted with <c>"</c>, a doubled quote inside
/// a quoted field standing for one quote, and line breaks allowed inside quoted fields. Unquoted fields are trimmed;
/// blank lines are skipped. Numbers use the invariant culture (<c>1.5</c>, <c>-2e3</c>).</para>
/// <para>Labels: when every label is an integer they are used as int64 class indices and <see cref="ClassNames"/> is null;
/// when every label is a number but some are not integers they become float32 regression targets; otherwise they are
/// class names, mapped to the indices of their ordinal-sorted list <see cref="ClassNames"/>.</para>
/// <para>Features are float32 <c>[N, F]</c> in file column order, without the label column.</para>
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

    /// <summary>Loads <paramref name="path"/> with the label in the column named <paramref name="labelColumn"/>; the file must have a header.</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="labelColumn">The header name of the label column (exact, case-sensitive).</param>
    /// <param name="hasHeader">Whether the first line is a header; null to detect it (it must be present here).</param>
    /// <exception cref="InvalidDataException">A row is malformed; the message names the file, the line and the column.</exception>
    public static CsvDataset Load(string path, string labelColumn, bool? hasHeader = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(labelColumn);
        if (hasHeader == false)
            throw new ArgumentException($"CsvDataset: the label column is given by name ('{labelColumn}') but hasHeader is false; pass its index instead", nameof(hasHeader));
        var records = Parse(path);
        string[] header = records[0].Fields;
        int index = Array.IndexOf(header, labelColumn);
        if (index < 0)
            throw new ArgumentException($"CsvDataset: {path} has no column named '{labelColumn}'; the header (line {records[0].Line}) has: {string.Join(", ", header)}", nameof(labelColumn));
        return Build(path, records, index, header);
    }

    /// <summary>Loads <paramref name="path"/> with the label in column <paramref name="labelColumn"/> (0-based; negative counts from the end, so -1 is the last).</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="labelColumn">The index of the label column.</param>
    /// <param name="hasHeader">Whether the first line is a header; null to detect it: the first line is a header when one of its feature fields is not a number.</param>
    /// <exception cref="InvalidDataException">A row is malformed; the message names the file, the line and the column.</exception>
    public static CsvDataset Load(string path, int labelColumn = -1, bool? hasHeader = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var records = Parse(path);
        int width = records[0].Fields.Length;
        int index = labelColumn < 0 ? labelColumn + width : labelColumn;
        if (index < 0 || index >= width)
            throw new ArgumentOutOfRangeException(nameof(labelColumn), $"CsvDataset: label column {labelColumn} is out of range for {path}, whose first line (line {records[0].Line}) has {width} fields");
        bool header = hasHeader ?? LooksLikeHeader(records[0].Fields, index);
        return Build(path, records, index, header ? records[0].Fields : null);
    }

    private static bool LooksLikeHeader(string[] fields, int labelIndex)
    {
        for (int j = 0; j < fields.Length; j++)
            if (j != labelIndex && !TryNumber(fields[j], out _)) return true;
        return false;
    }

    private static CsvDataset Build(string path, List<(int Line, string[] Fields)> records, int labelIndex, string[]? header)
    {
        int width = records[0].Fields.Length;
        if (width < 2)
            throw new InvalidDataException($"{path}: line {records[0].Line} has {width} field; a dataset needs a label column and at least one feature column");
        int first = header is null ? 0 : 1;
        int rows = records.Count - first;
        if (rows == 0) throw new InvalidDataException($"{path}: the file has a header but no data rows");

        string ColumnName(int j) => header is null ? $"column{j}" : header[j];
        string Where(int line, int j) => header is null
            ? $"{path}: line {line}, column index {j}"
            : $"{path}: line {line}, column \"{header[j]}\" (index {j})";

        int featureCount = width - 1;
        var features = new float[(long)rows * featureCount];
        var labels = new string[rows];
        for (int r = 0; r < rows; r++)
        {
            var (line, fields) = records[first + r];
            if (fields.Length != width)
                throw new InvalidDataException(
                    $"{path}: line {line}: expected {width} fields (as on line {records[0].Line}), got {fields.Length}");
            int f = 0;
            for (int j = 0; j < width; j++)
            {
                if (j == labelIndex)
                {
                    if (fields[j].Length == 0) throw new InvalidDataException($"{Where(line, j)}: the label is empty");
                    labels[r] = fields[j];
                    continue;
                }
                if (!TryNumber(fields[j], out double value))
                {
                    throw new InvalidDataException(fields[j].Length == 0
                        ? $"{Where(line, j)}: the value is missing"
                        : $"{Where(line, j)}: cannot read '{fields[j]}' as a number");
                }
                features[(long)r * featureCount + f++] = (float)value;
            }
        }

        string[] featureNames = new string[featureCount];
        for (int j = 0, f = 0; j < width; j++) if (j != labelIndex) featureNames[f++] = ColumnName(j);
        var (labelTensor, classNames) = ToLabelTensor(labels);
        return new CsvDataset(Tensor.From(features, [rows, featureCount]), labelTensor, featureNames, ColumnName(labelIndex), classNames);
    }

    private static (Tensor Labels, string[]? ClassNames) ToLabelTensor(string[] labels)
    {
        var integers = new long[labels.Length];
        bool allIntegers = true;
        for (int i = 0; i < labels.Length && allIntegers; i++)
            allIntegers = long.TryParse(labels[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out integers[i]);
        if (allIntegers) return (Tensor.From(integers), null);

        var numbers = new float[labels.Length];
        bool allNumbers = true;
        for (int i = 0; i < labels.Length && allNumbers; i++)
        {
            allNumbers = TryNumber(labels[i], out double v);
            numbers[i] = (float)v;
        }
        if (allNumbers) return (Tensor.From(numbers), null);

        string[] classNames = labels.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var index = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int c = 0; c < classNames.Length; c++) index[classNames[c]] = c;
        var classes = new long[labels.Length];
        for (int i = 0; i < labels.Length; i++) classes[i] = index[labels[i]];
        return (Tensor.From(classes), classNames);
    }

    private static bool TryNumber(string s, out double value)
        => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    /// <summary>Splits the file into records, each with the line it starts on; blank lines are dropped.</summary>
    private static List<(int Line, string[] Fields)> Parse(string path)
    {
        string text = File.ReadAllText(path);
        var records = new List<(int Line, string[] Fields)>();
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1, recordLine = 1, quoteLine = 0;
        bool inQuotes = false, quoted = false, anyQuoted = false;

        void EndField()
        {
            fields.Add(quoted ? field.ToString() : field.ToString().Trim());
            field.Clear();
            quoted = false;
        }

        void EndRecord()
        {
            bool blank = fields.Count == 1 && fields[0].Length == 0 && !anyQuoted;
            if (!blank) records.Add((recordLine, fields.ToArray()));
            fields.Clear();
            anyQuoted = false;
        }

        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        inQuotes = false;
                    }
                    continue;
                }
                if (c == '\n') line++;
                field.Append(c);
                continue;
            }
            switch (c)
            {
                case '"' when !quoted && string.IsNullOrWhiteSpace(field.ToString()):
                    field.Clear();
                    inQuotes = quoted = anyQuoted = true;
                    quoteLine = line;
                    break;
                case ',':
                    EndField();
                    break;
                case '\r' or '\n':
                    if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                    EndField();
                    EndRecord();
                    line++;
                    recordLine = line;
                    break;
                default:
                    if (quoted)
                    {
                        if (char.IsWhiteSpace(c)) break;
                        throw new InvalidDataException($"{path}: line {line}: unexpected '{c}' after the closing quote of field {fields.Count + 1}");
                    }
                    field.Append(c);
                    break;
            }
        }
        if (inQuotes)
            throw new InvalidDataException($"{path}: line {quoteLine}: the quoted field opened here is not closed before the end of the file");
        if (field.Length > 0 || fields.Count > 0 || quoted)
        {
            EndField();
            EndRecord();
        }
        if (records.Count == 0) throw new InvalidDataException($"{path}: the file has no rows");
        return records;
    }
}
