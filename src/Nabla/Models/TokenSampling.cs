namespace Nabla.Models;

/// <summary>How the language models draw the next token from the logits of the last position.</summary>
internal static class TokenSampling
{
    /// <summary>
    /// One token per row of <paramref name="logits"/> <c>[B, V]</c>: the most likely when <paramref name="temperature"/> is 0,
    /// otherwise a draw from <c>softmax(logits / temperature)</c> restricted to the <paramref name="topK"/> largest logits
    /// (ties with the k-th kept), as nanoGPT's <c>generate</c>.
    /// </summary>
    public static Tensor Sample(Tensor logits, double temperature, int? topK, Generator generator)
    {
        if (temperature == 0) return logits.ArgMax(-1);
        logits = logits / temperature;
        if (topK is { } k && k < logits.Dims[1])
        {
            Tensor kth = logits.TopK(k).Values.Narrow(1, k - 1, 1);
            logits = logits.MaskedFill(logits.Lt(kth), double.NegativeInfinity);
        }
        return logits.Softmax(-1).Multinomial(1, replacement: true, generator).Squeeze(1);
    }

    /// <summary>Checks the arguments shared by the models' <c>GenerateSteps</c>; <paramref name="model"/> names the caller in errors.</summary>
    public static void Check(string model, Tensor idx, int maxNewTokens, double temperature, int? topK)
    {
        ArgumentNullException.ThrowIfNull(idx);
        if (maxNewTokens < 0) throw new ArgumentException($"{model} generate: maxNewTokens must be at least 0, got {maxNewTokens}");
        if (!(temperature >= 0) || double.IsPositiveInfinity(temperature))
            throw new ArgumentException($"{model} generate: temperature must be finite and at least 0 (0 = greedy), got {temperature}");
        if (topK is { } k && k < 1) throw new ArgumentException($"{model} generate: top_k must be at least 1, got {k}");
        if (idx.Rank != 2 || idx.Dims[1] == 0)
            throw new ArgumentException($"{model} generate: expected a prompt of token ids [B, T] with T >= 1, got shape {idx.Shape}");
    }
}
