using System.IO.Compression;

namespace Nabla.Data;

/// <summary>
/// Karpathy's tiny Shakespeare (<c>data/shakespeare_char</c> of nanoGPT, from char-rnn): 1,115,394 characters of
/// Shakespeare's plays, shipped inside the library (gzip-compressed), so it needs no file or network.
/// </summary>
/// <remarks>The works of Shakespeare are in the public domain. The text is ASCII; its vocabulary has 65 characters.</remarks>
public static class Shakespeare
{
    /// <summary>The number of characters of the corpus.</summary>
    public const int Length = 1_115_394;

    private const string ResourceName = "Nabla.Data.Resources.tinyshakespeare.txt.gz";
    private static readonly Lazy<string> Corpus = new(Read);

    /// <summary>The whole corpus as text.</summary>
    public static string Text() => Corpus.Value;

    /// <summary>The whole corpus as token ids of its own 65-character vocabulary (nanoGPT's <c>prepare.py</c>).</summary>
    public static TextDataset Load() => TextDataset.FromText(Text());

    /// <summary><c>prepare.py</c>'s split of <see cref="Load"/>: the first 1,003,854 characters train, the last 111,540 validate.</summary>
    public static (TextDataset Train, TextDataset Val) LoadSplit() => Load().Split(0.9);

    private static string Read()
    {
        using Stream resource = typeof(Shakespeare).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Shakespeare: the embedded resource {ResourceName} is missing from the Nabla assembly");
        using var gzip = new GZipStream(resource, CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        gzip.CopyTo(bytes);
        string text = TextDataset.DecodeUtf8(bytes.ToArray(), ResourceName);
        if (text.Length != Length)
            throw new InvalidDataException($"Shakespeare: the embedded corpus has {text.Length} characters, expected {Length}");
        return text;
    }
}
