using System.Diagnostics;
using Nabla.Cli.Training;
using Nabla.Data;
using Nabla.Models;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Runtime;

namespace Nabla.Cli.Bench;

/// <summary>
/// W7 and W8 of the sequence-models issue: nanoGPT's shakespeare_char CPU configuration trained with its recipe, and
/// generation with and without the key/value cache (bench/pytorch/gpt.py is the PyTorch side of both).
/// </summary>
public static class TextWorkloads
{
    /// <summary>Steps before the timed ones (compilation and first allocations), as nanoGPT's iterations 0-19.</summary>
    public const int WarmSteps = 20;

    /// <summary>
    /// W7: <paramref name="steps"/> timed training steps of the default <see cref="GptConfig"/> (batch 12 x 64 windows of
    /// tiny Shakespeare, AdamW 1e-3 with betas 0.9/0.99 and decay 0.1 on 2-D weights, clipping at 1.0) after
    /// <see cref="WarmSteps"/>: training tokens per second and the process's peak RSS. <paramref name="precision"/> is
    /// <c>nabla train --precision</c>'s: the forward and loss under autocast, a GradScaler for fp16.
    /// </summary>
    public static Workloads.Row Train(int steps = 200, string precision = "fp32")
    {
        const int batch = 12;
        var config = new GptConfig();
        var (train, _) = Shakespeare.LoadSplit();
        var model = new Gpt(config, generator: new Generator(1337));
        var decay = new ParamGroup(model.Parameters().Where(p => p.Rank >= 2)) { WeightDecay = 0.1 };
        var noDecay = new ParamGroup(model.Parameters().Where(p => p.Rank < 2)) { WeightDecay = 0.0 };
        var optimizer = new AdamW([decay, noDecay], lr: 1e-3, beta2: 0.99);
        var data = new Generator(1);
        var clock = new Stopwatch();
        GradScaler? scaler = precision == "fp16" ? new GradScaler() : null;
        double loss = 0;
        // The training loop's pool as `nabla train` sets it up, so that W7's peak RSS is the command's.
        using (BufferPool.Begin(TextTrainer.PoolCapBytes))
        {
            for (int it = 0; it < WarmSteps + steps; it++)
            {
                if (it == WarmSteps) clock.Start();
                var (x, y) = train.GetBatch(batch, config.BlockSize, data);
                Tensor l;
                using (PrecisionOption.Enter(precision)) l = model.Forward(x, y).Loss;
                optimizer.ZeroGrad();
                (scaler?.Scale(l) ?? l).Backward();
                scaler?.Unscale(optimizer);
                GradClip.ClipGradNorm(model.Parameters(), 1.0);
                if (scaler is null) optimizer.Step();
                else
                {
                    scaler.Step(optimizer);
                    scaler.Update();
                }
                loss = l.Item();
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;
        return new Workloads.Row("gpt", new Dictionary<string, object>
        {
            ["tokens_per_s"] = steps * batch * config.BlockSize / seconds,
            ["peak_rss_mb"] = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0),
            ["final_loss"] = loss,
            ["seconds"] = seconds,
            ["precision"] = precision,
        });
    }

    /// <summary>
    /// W8: tokens per second of sampling, batch 1, from the default GPT configuration: <paramref name="rounds"/> times a
    /// whole context (block_size - 1 tokens after a one-character prompt), with the cache and without it (the same
    /// tokens: Note [GPT generation]).
    /// </summary>
    public static IEnumerable<Workloads.Row> Generate(int rounds = 8)
    {
        var config = new GptConfig();
        var model = new Gpt(config, generator: new Generator(1337)).Eval();
        Tensor prompt = Tensor.From(new long[] { 0 }, [1, 1]);
        int tokens = config.BlockSize - 1;
        foreach (bool cached in new[] { true, false })
        {
            model.Generate(prompt, tokens, generator: new Generator(2), useCache: cached); // compile before timing
            var clock = Stopwatch.StartNew();
            for (int r = 0; r < rounds; r++) model.Generate(prompt, tokens, generator: new Generator((ulong)r), useCache: cached);
            double seconds = clock.Elapsed.TotalSeconds;
            yield return new Workloads.Row("generate", new Dictionary<string, object>
            {
                ["cached"] = cached,
                ["tokens_per_s"] = rounds * tokens / seconds,
                ["peak_rss_mb"] = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0),
            });
        }
    }
}
