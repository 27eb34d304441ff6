using System.Text;
using Nabla.Data;
using Nabla.Models;
using Nabla.Tests.Data;

namespace Nabla.Tests.Fuzz;

/// <summary>The readers of text and GPT files over seeded mutations (Note [Mutation tests]): only their documented exceptions escape.</summary>
public class TextDatasetMutationTests
{
    [Fact]
    public void FromFile_MutatedText_OnlyInvalidDataOrUnknownCharacterEscapes()
    {
        using var dir = new TempDirectory();
        byte[] valid = Encoding.UTF8.GetBytes("First Citizen:\nBefore we proceed, hear me speak. — Ünïcödé 😀 ok\n");
        var tokenizer = CharTokenizer.FromText(Encoding.UTF8.GetString(valid));
        string path = dir.File("t.txt");
        Mutations.Run("TextDataset.FromFile", valid, bytes =>
        {
            File.WriteAllBytes(path, bytes);
            TextDataset.FromFile(path);
            TextDataset.FromFile(path, tokenizer);
        }, [typeof(InvalidDataException), typeof(ArgumentException)], count: 2000, seed: 41);
    }

    [Fact]
    public void GptLoad_MutatedFile_OnlyInvalidDataEscapes()
    {
        using var dir = new TempDirectory();
        string path = dir.File("gpt.safetensors");
        new Gpt(new GptConfig(VocabSize: 5, BlockSize: 4, NLayer: 1, NHead: 2, NEmbd: 4, Bias: true)).Save(path, CharTokenizer.FromText("abcde"));
        byte[] valid = File.ReadAllBytes(path);
        string mutated = dir.File("m.safetensors");
        Mutations.Run("Gpt.Load", valid, bytes =>
        {
            File.WriteAllBytes(mutated, bytes);
            Gpt.Load(mutated);
        }, [typeof(InvalidDataException)], count: 2000, seed: 42);
    }
}
