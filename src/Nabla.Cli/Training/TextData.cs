using Nabla.Data;

namespace Nabla.Cli.Training;

/// <summary>The text datasets of the CLI: the embedded tiny Shakespeare, or any UTF-8 file as <c>text:FILE</c>.</summary>
public static class TextData
{
    /// <summary>The names <c>--dataset</c> takes for text.</summary>
    public const string Help = "shakespeare|text:FILE";

    /// <summary>Loads and splits a text dataset as nanoGPT's <c>prepare.py</c>: first 90% train, the rest validation.</summary>
    /// <exception cref="UsageException">The name is not a text dataset, or the file is missing, empty or not UTF-8.</exception>
    public static (TextDataset Train, TextDataset Val, string Name) Load(string dataset)
    {
        if (dataset == "shakespeare")
        {
            var (train, val) = Shakespeare.LoadSplit();
            return (train, val, "shakespeare (tiny Shakespeare, embedded)");
        }
        if (!dataset.StartsWith("text:", StringComparison.Ordinal))
            throw new UsageException($"'{dataset}' is not a text dataset", $"use {Help}");
        string path = OptionReader.CheckPath(dataset[5..], "the text file");
        try
        {
            var (train, val) = TextDataset.FromFile(path).Split(0.9);
            return (train, val, $"{Path.GetFileName(path)} ({path})");
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException)
        {
            throw new UsageException($"--dataset {dataset}: {e.Message}", "pass text:PATH of a non-empty UTF-8 text file");
        }
    }
}
