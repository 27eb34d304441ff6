namespace Nabla.Data;

/// <summary>The bounds one CSV load works within (see <see cref="CsvDataset"/>'s remarks); tests lower them.</summary>
/// <param name="MaxFieldChars">The most characters one field may take, quotes and surrounding spaces included.</param>
/// <param name="MaxRecordChars">The most characters one record (line) may take.</param>
/// <param name="MemoryBytes">The most bytes the loaded data may take, and the most characters of text read.</param>
/// <param name="MaxClasses">Whole-number labels must be from 0 to this less one.</param>
internal readonly record struct CsvLimits(int MaxFieldChars, int MaxRecordChars, long MemoryBytes, int MaxClasses = CsvDataset.MaxClasses)
{
    /// <summary>The public bounds, with half of the memory available to the process (building the tensors briefly needs twice their size).</summary>
    public static CsvLimits Default => new(CsvDataset.MaxFieldChars, CsvDataset.MaxRecordChars, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2);
}

/// <summary>
/// Splits CSV text into records in one streaming pass: linear in the input, holding one record at a time. It is the
/// parser behind <see cref="CsvDataset"/>, public so that an application reading other CSV text (a log of metrics)
/// gets the same quoting, line numbers and bounds instead of a second parser.
/// </summary>
/// <remarks>
/// RFC 4180 with the leniency of <see cref="CsvDataset"/>: fields separated by commas, optionally quoted with
/// <c>"</c> (a doubled quote inside stands for one, line breaks allowed inside); spaces around an unquoted field and
/// around a quoted one are dropped; a quote inside an unquoted field is kept as a character. A record ends at
/// <c>\n</c>, <c>\r\n</c> or <c>\r</c>; blank records are skipped. Every field, record and the whole input are bounded
/// by <see cref="CsvLimits"/>, so a file without line breaks (<c>/dev/zero</c>) or an endless pipe is refused
/// rather than read until memory runs out; what the caller keeps of the records is its own to bound.
/// </remarks>
public sealed class CsvRecordReader
{
    private enum State { Start, Unquoted, Quoted, QuoteInQuoted, AfterQuote }

    private readonly TextReader _reader;
    private readonly string _path;
    private readonly CsvLimits _limits;

    /// <summary>
    /// A reader of the CSV text <paramref name="reader"/> gives, within <see cref="CsvDataset"/>'s bounds: a field of at
    /// most <see cref="CsvDataset.MaxFieldChars"/> characters, a record of at most <see cref="CsvDataset.MaxRecordChars"/>,
    /// and at most half of the memory available to the process in all.
    /// </summary>
    /// <param name="reader">The text; not disposed by this reader.</param>
    /// <param name="name">What messages call the input (its path), as in <c>metrics.csv: line 3: ...</c>.</param>
    public CsvRecordReader(TextReader reader, string name)
        : this(reader, name, CsvLimits.Default)
    {
    }

    /// <summary>A reader within <paramref name="limits"/>.</summary>
    internal CsvRecordReader(TextReader reader, string name, CsvLimits limits)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(name);
        _reader = reader;
        _path = name;
        _limits = limits;
    }

    private readonly char[] _input = new char[1 << 15];
    private int _inputPos, _inputEnd;
    private char[] _text = new char[256];
    private int _textLength;
    private readonly List<(int Start, int Length)> _fields = [];
    private int _line = 1;

    /// <summary>The characters taken from the reader so far (read ahead of the current record by at most one buffer).</summary>
    public long CharsRead { get; private set; }

    /// <summary>The line the current record starts on (1-based).</summary>
    public int Line { get; private set; }

    /// <summary>The number of fields of the current record.</summary>
    public int FieldCount => _fields.Count;

    /// <summary>Field <paramref name="i"/> of the current record, unquoted and trimmed; valid until the next <see cref="Read"/>.</summary>
    public ReadOnlySpan<char> Field(int i) => _text.AsSpan(_fields[i].Start, _fields[i].Length);

    /// <summary>The fields of the current record as strings.</summary>
    public string[] Fields()
    {
        var fields = new string[_fields.Count];
        for (int i = 0; i < fields.Length; i++) fields[i] = Field(i).ToString();
        return fields;
    }

    /// <summary>Reads the next non-blank record; false at the end of the input.</summary>
    /// <exception cref="InvalidDataException">A quote is not closed, text follows a closing quote, or a bound is passed.</exception>
    public bool Read()
    {
        while (ReadRecord(out bool anyQuoted))
            if (_fields.Count > 1 || _fields[0].Length > 0 || anyQuoted) return true;
        return false;
    }

    private bool ReadRecord(out bool anyQuoted)
    {
        _fields.Clear();
        _textLength = 0;
        anyQuoted = false;
        Line = _line;
        var state = State.Start;
        int fieldStart = 0, contentEnd = 0, fieldChars = 0, recordChars = 0, quoteLine = 0;
        bool any = false;
        while (true)
        {
            if (state is State.Unquoted or State.Quoted && _inputPos < _inputEnd && CopyRun(state, ref contentEnd, ref fieldChars, ref recordChars))
                continue;
            int next = NextChar();
            if (next < 0)
            {
                if (state == State.Quoted)
                    throw new InvalidDataException($"{_path}: line {quoteLine}: the quoted field opened here is not closed before the end of the file");
                if (!any) return false;
                EndField();
                return true;
            }
            char c = (char)next;
            any = true;
            if (++recordChars > _limits.MaxRecordChars)
                throw new InvalidDataException($"{_path}: line {Line}: the record is longer than {_limits.MaxRecordChars:N0} characters, the most a CSV record may have here (is this a CSV file?)");
            if (++fieldChars > _limits.MaxFieldChars)
                throw new InvalidDataException($"{_path}: line {_line}: field {_fields.Count + 1} is longer than {_limits.MaxFieldChars:N0} characters, the most a CSV field may have here (a field holds a number or a label; is this a CSV file?)");
            switch (state)
            {
                case State.Quoted:
                    if (c == '"')
                    {
                        state = State.QuoteInQuoted;
                        break;
                    }
                    if (c == '\n') _line++;
                    Append(c);
                    break;
                case State.QuoteInQuoted when c == '"':
                    Append('"');
                    state = State.Quoted;
                    break;
                case State.QuoteInQuoted or State.AfterQuote:
                    state = State.AfterQuote;
                    if (c == ',') EndField();
                    else if (c is '\r' or '\n') return EndRecord(c);
                    else if (!char.IsWhiteSpace(c))
                        throw new InvalidDataException($"{_path}: line {_line}: unexpected '{c}' after the closing quote of field {_fields.Count + 1}");
                    break;
                case State.Start when c == '"':
                    state = State.Quoted;
                    anyQuoted = true;
                    quoteLine = _line;
                    break;
                case State.Start when c is not (',' or '\r' or '\n') && char.IsWhiteSpace(c):
                    break; // leading spaces of a field
                default: // Start or Unquoted
                    if (c == ',') EndField();
                    else if (c is '\r' or '\n') return EndRecord(c);
                    else
                    {
                        state = State.Unquoted;
                        Append(c);
                        if (!char.IsWhiteSpace(c)) contentEnd = _textLength;
                    }
                    break;
            }
        }

        void EndField()
        {
            int end = state == State.Unquoted ? contentEnd : _textLength; // unquoted fields lose trailing spaces
            _fields.Add((fieldStart, end - fieldStart));
            _textLength = end;
            fieldStart = contentEnd = _textLength;
            fieldChars = 0;
            state = State.Start;
        }

        bool EndRecord(char c)
        {
            EndField();
            if (c == '\r' && PeekChar() == '\n') NextChar();
            _line++;
            return true;
        }
    }

    /// <summary>
    /// The fast path: copies the run of ordinary characters that starts the buffered input (up to a separator or line
    /// break in an unquoted field, up to a quote or line break in a quoted one) in one step, within the bounds.
    /// Returns false when there is no such run, leaving the next character to the general path.
    /// </summary>
    private bool CopyRun(State state, ref int contentEnd, ref int fieldChars, ref int recordChars)
    {
        ReadOnlySpan<char> rest = _input.AsSpan(_inputPos, _inputEnd - _inputPos);
        int run = rest.IndexOfAny(state == State.Unquoted ? UnquotedStops : QuotedStops);
        if (run < 0) run = rest.Length;
        run = Math.Min(run, Math.Min(_limits.MaxRecordChars - recordChars, _limits.MaxFieldChars - fieldChars));
        if (run <= 0) return false;
        ReadOnlySpan<char> chars = rest[..run];
        if (_textLength + run > _text.Length) Array.Resize(ref _text, Math.Max(_text.Length * 2, _textLength + run));
        chars.CopyTo(_text.AsSpan(_textLength));
        if (state == State.Unquoted)
        {
            int last = chars.Length - 1;
            while (last >= 0 && char.IsWhiteSpace(chars[last])) last--;
            if (last >= 0) contentEnd = _textLength + last + 1;
        }
        _textLength += run;
        _inputPos += run;
        fieldChars += run;
        recordChars += run;
        return true;
    }

    private static readonly System.Buffers.SearchValues<char> UnquotedStops = System.Buffers.SearchValues.Create(",\r\n");
    private static readonly System.Buffers.SearchValues<char> QuotedStops = System.Buffers.SearchValues.Create("\"\n");

    private void Append(char c)
    {
        if (_textLength == _text.Length) Array.Resize(ref _text, _text.Length * 2);
        _text[_textLength++] = c;
    }

    private int NextChar() => _inputPos < _inputEnd || Fill() ? _input[_inputPos++] : -1;

    private int PeekChar() => _inputPos < _inputEnd || Fill() ? _input[_inputPos] : -1;

    private bool Fill()
    {
        _inputEnd = _reader.Read(_input, 0, _input.Length);
        _inputPos = 0;
        CharsRead += _inputEnd;
        if (CharsRead > _limits.MemoryBytes)
            throw new InvalidDataException($"{_path}: the input is longer than {_limits.MemoryBytes:N0} characters, the most this loader reads (half the memory available to the process)");
        return _inputEnd > 0;
    }
}
