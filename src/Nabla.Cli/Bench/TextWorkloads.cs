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
/// generation with and without the key/value cache (bench/pytorch/gpt.py is the PyTorch side of both); and batch-1
/// generation from a GPT whose weights far exceed the caches, in float32 and bfloat16 (issue 17).
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

    /// <summary>
    /// Batch-1 generation with the key/value cache from a randomly initialised GPT of the given size (tiny Shakespeare's
    /// 65-character vocabulary), its weights in float32 and the same weights converted to bfloat16
    /// (<c>model.To(DType.BFloat16)</c>): each of <paramref name="rounds"/> rounds samples block_size - 1 tokens after a
    /// one-character prompt from both models, in alternating order (fp32 first in even rounds, bf16 first in odd ones),
    /// after one untimed round each. One row per dtype: the median tokens/s, every round's figure, the bytes of
    /// the weights and those bytes times tokens/s (each token reads every weight once: a lower bound of the memory traffic).
    /// The bf16 row adds its speed over fp32 (the ratio of the medians and each round's ratio) and the largest difference
    /// of its logits from fp32's over a 16-token input.
    /// </summary>
    public static IEnumerable<Workloads.Row> GenerateLarge(GptConfig config, int rounds)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        long parameters = 12L * config.NLayer * config.NEmbd * config.NEmbd + (long)(config.VocabSize + config.BlockSize) * config.NEmbd;
        // Both models at once (4 + 2 bytes per weight) and a quarter more for the caches, activations and the runtime.
        MemoryEstimate.Require(1.25 * 6.0 * parameters, $"bench generate-large with n_layer {config.NLayer} and n_embd {config.NEmbd}",
            "pass a smaller --n-layer or --n-embd");
        var models = new (string Name, Gpt Model)[]
        {
            ("fp32", new Gpt(config, generator: new Generator(1337)).Eval()),
            ("bf16", new Gpt(config, generator: new Generator(1337)).Eval().To(DType.BFloat16)),
        };
        Tensor prompt = Tensor.From(new long[] { 0 }, [1, 1]);
        int tokens = config.BlockSize - 1;
        foreach (var (_, model) in models) model.Generate(prompt, tokens, generator: new Generator(2)); // compiled and tiered up before timing
        var perSecond = new double[2][];
        for (int m = 0; m < 2; m++) perSecond[m] = new double[rounds];
        for (int r = 0; r < rounds; r++)
            for (int i = 0; i < 2; i++)
            {
                int m = r % 2 == 0 ? i : 1 - i;
                var clock = Stopwatch.StartNew();
                models[m].Model.Generate(prompt, tokens, generator: new Generator((ulong)r));
                perSecond[m][r] = tokens / clock.Elapsed.TotalSeconds;
            }
        double logitsDiff = LogitsDifference(models[0].Model, models[1].Model, Math.Min(16, config.BlockSize));
        double fp32Median = Median(perSecond[0]);
        for (int m = 0; m < 2; m++)
        {
            long bytes = models[m].Model.Parameters().Sum(p => p.Numel * p.DType.ElementSize());
            double median = Median(perSecond[m]);
            var fields = new Dictionary<string, object>
            {
                ["dtype"] = models[m].Name,
                ["n_layer"] = config.NLayer, ["n_head"] = config.NHead, ["n_embd"] = config.NEmbd, ["block_size"] = config.BlockSize,
                ["tokens"] = tokens, ["rounds"] = rounds, ["threads"] = ThreadBudget.Current,
                ["tokens_per_s"] = median,
                ["tokens_per_s_rounds"] = perSecond[m],
                ["weight_mb"] = bytes / (1024.0 * 1024.0),
                ["weight_gb_per_s"] = bytes * median / 1e9,
            };
            if (m == 1)
            {
                fields["vs_fp32"] = median / fp32Median;
                fields["vs_fp32_rounds"] = perSecond[1].Zip(perSecond[0], (b, f) => b / f).ToArray();
                fields["logits_max_abs_diff"] = logitsDiff;
            }
            yield return new Workloads.Row("generate-large", fields);
        }
    }

    /// <summary>The largest absolute difference between the two models' logits over the first <paramref name="length"/> ids of a fixed sequence.</summary>
    private static double LogitsDifference(Gpt fp32, Gpt other, int length)
    {
        Tensor idx = Tensor.From(Enumerable.Range(0, length).Select(i => (long)(i * 7 % fp32.Config.VocabSize)).ToArray(), [1, length]);
        using (Autograd.NoGrad())
            return (fp32.Forward(idx) - other.Forward(idx).To(DType.Float32)).Abs().Max().Item();
    }

    private static double Median(double[] values)
    {
        double[] sorted = [.. values.Order()];
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
