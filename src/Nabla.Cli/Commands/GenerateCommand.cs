using System.Globalization;
using Nabla.Cli.Training;
using Nabla.Data;
using Nabla.Models;
using Nabla.NN;

namespace Nabla.Cli.Commands;

/// <summary><c>nabla generate MODEL</c>: samples text from a trained character-level model, streaming it as it is drawn.</summary>
public static class GenerateCommand
{
    /// <summary>The command name.</summary>
    public const string Name = "generate";

    /// <summary>One line for the top-level help.</summary>
    public const string Summary = "sample text from a trained language model (gpt or char-lstm safetensors)";

    /// <summary>The usage text.</summary>
    public static string Usage() => """
        usage: nabla generate MODEL.safetensors [--prompt TEXT] [--tokens N] [--temperature T] [--top-k K] [--seed S]
                              [--no-cache]

        Reads the model, its configuration and its vocabulary from the file 'nabla train --dataset shakespeare'
        writes (or a nanoGPT file with a 'vocab' key) and prints the prompt followed by sampled characters as they
        are drawn. A GPT keeps its attention keys and values between tokens (a char-lstm its state), so each new
        token costs one position; --no-cache recomputes the context for every token, as nanoGPT's sample.py.

          --prompt TEXT         the text to continue (default a newline); every character must be in the vocabulary
          --tokens N            characters to draw, 1 to 1000000 (default 500)
          --temperature T       divides the logits: below 1 is more conservative, 0 is greedy (default 0.8)
          --top-k K             draw only among the K most likely characters (default 200, as nanoGPT)
          --seed S              the sampling seed: the same seed gives the same text (default 1337)
          --no-cache            recompute the whole context for every token (slower; the same text)
          --n-head N            a GPT file's head count when its metadata has none (checked against it otherwise)
          --block-size N        the context: a char-lstm's overrides the file's, a GPT's must equal its own

        """;

    /// <summary>Runs the command.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args.Contains("--help") || args.Contains("-h"))
        {
            stdout.Write(Usage());
            return ExitCodes.Success;
        }
        try
        {
            var o = new OptionReader(args, ["--prompt", "--tokens", "--temperature", "--top-k", "--seed", "--n-head", "--block-size"], ["--help", "--no-cache"], Name);
            if (o.Positional.Count != 1)
                throw new UsageException(o.Positional.Count == 0 ? "missing the model file" : $"unexpected argument '{o.Positional[1]}'",
                    "run 'nabla generate runs/shakespeare-gpt/model.safetensors'");
            string path = OptionReader.CheckPath(o.Positional[0], "the model file");
            if (!File.Exists(path)) throw new UsageException($"no model file at '{path}'", "pass the model.safetensors written by 'nabla train --dataset shakespeare'");
            string prompt = o.String("--prompt", "\n");
            int tokens = o.Int("--tokens", 500, 1, 1_000_000);
            double temperature = o.Double("--temperature", 0.8, 0, 100);
            int topK = o.Int("--top-k", 200, 1, int.MaxValue);
            var generator = new Generator(o.UInt64("--seed", 1337));
            var (model, tokenizer) = ModelFiles.Load(path, nHead: o.Has("--n-head") ? o.Int("--n-head", 1, 1, 1024) : null,
                blockSize: o.Has("--block-size") ? o.Int("--block-size", 1, 1, 1 << 16) : null);
            if (tokenizer is null)
                throw new UsageException($"{path} stores no vocabulary (no 'vocab' metadata), so its token ids cannot be turned into text",
                    "use a model written by 'nabla train --dataset shakespeare', or add the vocabulary to the file's metadata");
            if (prompt.Length == 0) throw new UsageException("--prompt is empty", "give at least one character, or omit --prompt to start from a newline");
            int[] ids;
            try
            {
                ids = tokenizer.Encode(prompt);
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"--prompt: {e.Message}", $"use only characters of the model's vocabulary: {Printable(tokenizer)}");
            }
            model.Module.Eval();
            Tensor idx = Tensor.From([.. ids.Select(i => (long)i)], [1, ids.Length]);
            stdout.Write(prompt);
            foreach (Tensor next in model.GenerateSteps(idx, tokens, temperature, Math.Min(topK, model.VocabSize), generator, useCache: !o.Has("--no-cache")))
            {
                stdout.Write(tokenizer.Decode(next.Item<long>()));
                stdout.Flush();
            }
            stdout.WriteLine();
            return ExitCodes.Success;
        }
        catch (Exception e) when (Reporter.IsUserFacing(e))
        {
            return Reporter.Fail(stderr, e);
        }
    }

    private static string Printable(CharTokenizer tokenizer)
    {
        string chars = tokenizer.Decode(Enumerable.Range(0, tokenizer.VocabSize));
        return string.Concat(chars.Select(c => char.IsControl(c) ? string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}") : c.ToString()));
    }
}
