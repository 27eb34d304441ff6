using System.Text;

namespace Nabla.Data;

/// <summary>
/// A character-level tokenizer: token id <c>i</c> is the <c>i</c>-th character of the vocabulary, as nanoGPT's
/// <c>data/shakespeare_char/prepare.py</c> (<c>chars = sorted(set(text))</c>, <c>stoi = {ch: i}</c>).
/// </summary>
/// <remarks>
/// A character is a Unicode code point (a <see cref="Rune"/>, as a Python <c>str</c> element), so text outside the
/// Basic Multilingual Plane tokenizes as in Python. The vocabulary travels with a model as one string, its characters in
/// id order (<see cref="ToVocabString"/>, <see cref="FromVocabString"/>): the <c>vocab</c> key of a GPT file's metadata.
/// </remarks>
public sealed class CharTokenizer
{
    private readonly Rune[] _chars;
    private readonly Dictionary<Rune, int> _ids;

    private CharTokenizer(Rune[] chars, string what)
    {
        _chars = chars;
        _ids = new Dictionary<Rune, int>(chars.Length);
        for (int i = 0; i < chars.Length; i++)
            if (!_ids.TryAdd(chars[i], i))
                throw new ArgumentException($"CharTokenizer: {what} lists the character {Describe(chars[i])} twice (ids {_ids[chars[i]]} and {i}); each character may appear once");
    }

    /// <summary>The tokenizer of <paramref name="text"/>: its distinct characters sorted by code point (Python's <c>sorted(set(text))</c>).</summary>
    /// <exception cref="ArgumentException">The text is empty or holds a lone UTF-16 surrogate (not a character).</exception>
    public static CharTokenizer FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) throw new ArgumentException("CharTokenizer: the text is empty, so there is no vocabulary to build");
        var seen = new HashSet<Rune>();
        foreach (Rune r in Runes(text, "the text")) seen.Add(r);
        Rune[] chars = [.. seen];
        Array.Sort(chars, (a, b) => a.Value.CompareTo(b.Value));
        return new CharTokenizer(chars, "the text");
    }

    /// <summary>The tokenizer whose vocabulary is <paramref name="vocab"/>'s characters in id order (what <see cref="ToVocabString"/> wrote).</summary>
    /// <exception cref="ArgumentException">The string is empty, repeats a character or holds a lone surrogate.</exception>
    public static CharTokenizer FromVocabString(string vocab)
    {
        ArgumentNullException.ThrowIfNull(vocab);
        if (vocab.Length == 0) throw new ArgumentException("CharTokenizer: the vocabulary string is empty");
        return new CharTokenizer([.. Runes(vocab, "the vocabulary string")], "the vocabulary string");
    }

    /// <summary>The vocabulary as one string, its characters in id order (the <c>vocab</c> metadata of a model file).</summary>
    public string ToVocabString()
    {
        var sb = new StringBuilder(_chars.Length);
        foreach (Rune r in _chars) sb.Append(r.ToString());
        return sb.ToString();
    }

    /// <summary>The number of token ids.</summary>
    public int VocabSize => _chars.Length;

    /// <summary>The token ids of <paramref name="text"/>, one per character.</summary>
    /// <exception cref="ArgumentException">A character is not in the vocabulary; the message names it (with its code point) and its position.</exception>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length);
        int position = 0;
        foreach (Rune r in Runes(text, "the text"))
        {
            if (!_ids.TryGetValue(r, out int id))
                throw new ArgumentException($"CharTokenizer: the character {Describe(r)} at position {position} (counting characters from 0) is not in the vocabulary of {VocabSize} characters");
            ids.Add(id);
            position++;
        }
        return [.. ids];
    }

    /// <summary>The text of <paramref name="ids"/>.</summary>
    /// <exception cref="ArgumentException">An id is outside <c>[0, VocabSize)</c>; the message names it and its position.</exception>
    public string Decode(IEnumerable<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var sb = new StringBuilder();
        int position = 0;
        foreach (long id in ids)
        {
            if ((ulong)id >= (ulong)_chars.Length)
                throw new ArgumentException($"CharTokenizer: token id {id} at position {position} is outside the vocabulary [0, {VocabSize})");
            sb.Append(_chars[id].ToString());
            position++;
        }
        return sb.ToString();
    }

    /// <summary>The text of <paramref name="ids"/>.</summary>
    public string Decode(IEnumerable<int> ids) => Decode(ids.Select(i => (long)i));

    /// <summary>The text of one token id.</summary>
    public string Decode(long id) => Decode([id]);

    private static IEnumerable<Rune> Runes(string text, string what)
    {
        for (int i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out Rune r, out int used) != System.Buffers.OperationStatus.Done)
                throw new ArgumentException($"CharTokenizer: {what} holds a lone UTF-16 surrogate (U+{(int)text[i]:X4}) at index {i}, which is not a character");
            yield return r;
            i += used;
        }
    }

    private static string Describe(Rune r) => Rune.IsControl(r) || Rune.IsWhiteSpace(r) ? $"U+{r.Value:X4}" : $"'{r}' (U+{r.Value:X4})";
}
