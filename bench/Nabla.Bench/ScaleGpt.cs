using Nabla.Data;
using Nabla.Models;
using Nabla.Optim;

namespace Nabla.Bench;

/// <summary>
/// Issue 17's measured configuration (n_layer 8, n_head 4, n_embd 256, block 256, batch 16 on tiny Shakespeare, AdamW
/// 1e-3 with beta2 0.99), shared by the checkpointing and precision benchmarks.
/// </summary>
internal sealed record ScaleGpt(GptConfig Config, TextDataset Train, Gpt Model, AdamW Optimizer, Generator Data)
{
    public const int Batch = 16;

    public static ScaleGpt Create()
    {
        var config = new GptConfig(BlockSize: 256, NLayer: 8, NHead: 4, NEmbd: 256);
        var (train, _) = Shakespeare.LoadSplit();
        var model = new Gpt(config with { VocabSize = train.Tokenizer.VocabSize }, generator: new Generator(1337));
        return new(config, train, model, new AdamW(model.Parameters(), lr: 1e-3, beta2: 0.99), new Generator(1));
    }

    /// <summary>The next random batch of windows.</summary>
    public (Tensor X, Tensor Y) NextBatch() => Train.GetBatch(Batch, Config.BlockSize, Data);
}
