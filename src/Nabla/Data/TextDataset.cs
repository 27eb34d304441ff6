using System.Buffers;
using System.Text.Unicode;

namespace Nabla.Data;

/// <summary>
/// A text as one sequence of token ids for language modelling, with nanoGPT's batches: random windows for training
/// (<see cref="GetBatch"/>), <c>prepare.py</c>'s split (<see cref="Split"/>) and the deterministic validation windows
/// (<see cref="Windows"/>).
/// </summary>
/// <remarks>
/// An input window <c>x = data[i .. i+T-1]</c> comes with its targets <c>y = data[i+1 .. i+T]</c>, the next token at every
/// position. Token ids are int64 tensors <c>[B, T]</c>, what <see cref="Models"/>' language models take.
/// </remarks>
public sealed class TextDataset
{
    private readonly int[] _tokens;

    /// <summary>The dataset of <paramref name="tokens"/> (copied), ids of <paramref name="tokenizer"/>.</summary>
    /// <exception cref="ArgumentException">An id is outside the tokenizer's vocabulary.</exception>
    public TextDataset(ReadOnlySpan<int> tokens, CharTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        for (int i = 0; i < tokens.Length; i++)
            if ((uint)tokens[i] >= (uint)tokenizer.VocabSize)
                throw new ArgumentException($"TextDataset: token id {tokens[i]} at position {i} is outside the vocabulary [0, {tokenizer.VocabSize})");
        _tokens = tokens.ToArray();
        Tokenizer = tokenizer;
    }

    /// <summary>The tokenizer whose ids the dataset holds.</summary>
    public CharTokenizer Tokenizer { get; }

    /// <summary>The number of tokens.</summary>
    public int Length => _tokens.Length;

    /// <summary>The token ids.</summary>
    public ReadOnlySpan<int> Tokens => _tokens;

    /// <summary>
    /// The dataset of <paramref name="text"/>, encoded by <paramref name="tokenizer"/> or, when null, by the text's own
    /// <see cref="CharTokenizer.FromText"/> vocabulary.
    /// </summary>
    /// <exception cref="ArgumentException">The text is empty, or has a character outside <paramref name="tokenizer"/>'s vocabulary (named with its position).</exception>
    public static TextDataset FromText(string text, CharTokenizer? tokenizer = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        tokenizer ??= CharTokenizer.FromText(text);
        return new TextDataset(tokenizer.Encode(text), tokenizer);
    }

    /// <summary>The dataset of the UTF-8 text file at <paramref name="path"/> (a leading byte-order mark is skipped); see <see cref="FromText"/>.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is empty, larger than a string can hold, or not valid UTF-8 (the message gives the byte offset).</exception>
    /// <exception cref="ArgumentException">A character of the file is outside <paramref name="tokenizer"/>'s vocabulary.</exception>
    public static TextDataset FromFile(string path, CharTokenizer? tokenizer = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"TextDataset: no text file at '{path}' (full path {Path.GetFullPath(path)})", path);
        long size = new FileInfo(path).Length;
        if (size > MaxFileBytes)
            throw new InvalidDataException($"TextDataset: '{path}' has {size:N0} bytes; a text dataset holds at most {MaxFileBytes:N0}");
        return FromText(DecodeUtf8(File.ReadAllBytes(path), path), tokenizer);
    }

    /// <summary>The largest text file <see cref="FromFile"/> reads (a .NET string holds about 1G UTF-16 units).</summary>
    public const long MaxFileBytes = 1L << 30;

    /// <summary>The text of UTF-8 <paramref name="bytes"/>, strictly decoded; <paramref name="name"/> names the source in messages.</summary>
    internal static string DecodeUtf8(byte[] bytes, string name)
    {
        ReadOnlySpan<byte> data = bytes;
        if (data.StartsWith("\uFEFF"u8)) data = data[3..];
        if (data.Length == 0) throw new InvalidDataException($"TextDataset: '{name}' is empty; a text dataset needs at least two characters");
        char[] chars = new char[data.Length];
        OperationStatus status = Utf8.ToUtf16(data, chars, out int read, out int written, replaceInvalidSequences: false);
        if (status != OperationStatus.Done)
            throw new InvalidDataException($"TextDataset: '{name}' is not UTF-8 text: the bytes at offset {read + (bytes.Length - data.Length)} are not a valid UTF-8 sequence (save the file as UTF-8)");
        return new string(chars, 0, written);
    }

    /// <summary>
    /// <c>prepare.py</c>'s split: the first <c>int(n * trainFraction)</c> tokens train, the rest validate (nanoGPT: 0.9).
    /// Both parts share the tokenizer.
    /// </summary>
    /// <exception cref="ArgumentException">The fraction is outside [0, 1].</exception>
    public (TextDataset Train, TextDataset Val) Split(double trainFraction = 0.9)
    {
        if (!(trainFraction >= 0 && trainFraction <= 1))
            throw new ArgumentException($"TextDataset.Split: trainFraction must be in [0, 1], got {trainFraction}");
        int n = (int)(Length * trainFraction);
        return (new TextDataset(_tokens.AsSpan(0, n), Tokenizer), new TextDataset(_tokens.AsSpan(n), Tokenizer));
    }

    /// <summary>
    /// nanoGPT's <c>get_batch</c>: <paramref name="batchSize"/> windows at offsets <c>i</c> drawn uniformly from
    /// <c>[0, Length - blockSize)</c> by <paramref name="generator"/>; <c>x = data[i .. i+T-1]</c>, <c>y = data[i+1 .. i+T]</c>.
    /// </summary>
    /// <returns>int64 <c>[batchSize, blockSize]</c> inputs and targets.</returns>
    /// <exception cref="ArgumentException">A size is not positive, or the text is not longer than <paramref name="blockSize"/>.</exception>
    public (Tensor X, Tensor Y) GetBatch(int batchSize, int blockSize, Generator? generator = null)
    {
        if (batchSize <= 0) throw new ArgumentException($"TextDataset.GetBatch: batch size must be positive, got {batchSize}");
        CheckBlock(blockSize, "GetBatch");
        Generator g = Generator.Use(generator);
        long[] offsets = new long[batchSize];
        for (int b = 0; b < batchSize; b++) offsets[b] = g.NextInt64(0, Length - blockSize);
        return Gather(offsets, blockSize);
    }

    /// <summary>The number of non-overlapping windows of <paramref name="blockSize"/> with targets: <c>(Length - 1) / blockSize</c>.</summary>
    public int WindowCount(int blockSize)
    {
        CheckBlock(blockSize, "WindowCount");
        return (Length - 1) / blockSize;
    }

    /// <summary>
    /// The deterministic windows <paramref name="first"/> .. <paramref name="first"/> + <paramref name="count"/> - 1 of
    /// the validation loss (shared/models/README.md): window <c>i</c> is <c>x = data[i*T .. (i+1)*T-1]</c>,
    /// <c>y = data[i*T+1 .. (i+1)*T]</c>, for <c>i</c> below <see cref="WindowCount"/>.
    /// </summary>
    /// <returns>int64 <c>[count, blockSize]</c> inputs and targets.</returns>
    /// <exception cref="ArgumentException">The range is not within <c>[0, WindowCount(blockSize))</c>.</exception>
    public (Tensor X, Tensor Y) Windows(int blockSize, int first, int count)
    {
        int windows = WindowCount(blockSize);
        if (first < 0 || count <= 0 || first > windows - count)
            throw new ArgumentException($"TextDataset.Windows: windows {first} to {(long)first + count - 1} requested, but {Length} tokens give windows 0 to {windows - 1} of length {blockSize}");
        long[] offsets = new long[count];
        for (int i = 0; i < count; i++) offsets[i] = (long)(first + i) * blockSize;
        return Gather(offsets, blockSize);
    }

    private void CheckBlock(int blockSize, string op)
    {
        if (blockSize <= 0) throw new ArgumentException($"TextDataset.{op}: block size must be positive, got {blockSize}");
        if (Length <= blockSize)
            throw new ArgumentException($"TextDataset.{op}: the text has {Length} tokens, too few for a window of {blockSize} and its targets (it needs at least {blockSize + 1})");
    }

    private (Tensor X, Tensor Y) Gather(long[] offsets, int blockSize)
    {
        long[] x = new long[offsets.Length * blockSize], y = new long[x.Length];
        for (int b = 0; b < offsets.Length; b++)
            for (int t = 0; t < blockSize; t++)
            {
                x[b * blockSize + t] = _tokens[offsets[b] + t];
                y[b * blockSize + t] = _tokens[offsets[b] + t + 1];
            }
        return (Tensor.From(x, [offsets.Length, blockSize]), Tensor.From(y, [offsets.Length, blockSize]));
    }
}
