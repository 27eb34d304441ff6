using System.Diagnostics;
using System.Globalization;
using Nabla.Data;
using Nabla.Models;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Runtime;

namespace Nabla.Bench;

/// <summary>
/// W7 for Nabla: nanoGPT's shakespeare_char CPU configuration (n_layer 4, n_head 4, n_embd 128, block 64, batch 12, no
/// dropout, no biases) trained with nanoGPT's AdamW recipe on the embedded corpus; tokens/s over iterations 20-220 and
/// the time of each phase of a step, as one JSON line (bench/pytorch/gpt.py is the PyTorch side).
/// </summary>
/// <example><c>dotnet run -c Release --project bench/Nabla.Bench -- gpt [iters] [save.safetensors]</c>; with a path, the
/// trained model is saved there and its loss over the first 200 validation windows printed, for bench/pytorch/gpt_interop.py.</example>
internal static class GptStopwatch
{
    public static void Run(string[] args)
    {
        int iters = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 220;
        const int batch = 12, warm = 20;
        var config = new GptConfig();
        var (train, val) = Shakespeare.LoadSplit();
        var model = new Gpt(config, generator: new Generator(1337));
        var decay = new ParamGroup(model.Parameters().Where(p => p.Rank >= 2)) { WeightDecay = 0.1 };
        var noDecay = new ParamGroup(model.Parameters().Where(p => p.Rank < 2)) { WeightDecay = 0.0 };
        var optimizer = new AdamW([decay, noDecay], lr: 1e-3, beta2: 0.99);
        var data = new Generator(1);
        var phases = new double[4];
        var clock = new Stopwatch();
        using var pool = BufferPool.Begin();
        Stopwatch total = new();
        double loss = 0;
        for (int it = 0; it < iters; it++)
        {
            if (it == warm) { total.Start(); Array.Clear(phases); }
            var (x, y) = train.GetBatch(batch, config.BlockSize, data);
            clock.Restart();
            Tensor l = model.Forward(x, y).Loss;
            phases[0] += clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            optimizer.ZeroGrad();
            l.Backward();
            phases[1] += clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            GradClip.ClipGradNorm(model.Parameters(), 1.0);
            phases[2] += clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            optimizer.Step();
            phases[3] += clock.Elapsed.TotalMilliseconds;
            loss = l.Item();
        }
        total.Stop();
        int timed = iters - warm;
        double tokensPerS = timed * batch * config.BlockSize / total.Elapsed.TotalSeconds;
        double rss = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
        string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
        Console.WriteLine($"{{\"workload\":\"gpt\",\"impl\":\"nabla\",\"tokens_per_s\":{F(tokensPerS)},\"peak_rss_mb\":{F(rss)},\"final_loss\":{F(loss)}," +
            $"\"ms_per_step\":{{\"forward\":{F(phases[0] / timed)},\"backward\":{F(phases[1] / timed)},\"clip\":{F(phases[2] / timed)},\"step\":{F(phases[3] / timed)}}}}}");
        if (args.Length > 1)
        {
            model.Save(args[1], train.Tokenizer);
            var (vx, vy) = val.Windows(config.BlockSize, 0, 200);
            using (Autograd.NoGrad()) Console.WriteLine($"{{\"saved\":\"{args[1]}\",\"val_loss_200\":{model.Eval().Forward(vx, vy).Loss.Item().ToString("0.######", CultureInfo.InvariantCulture)}}}");
        }
    }

    /// <summary>
    /// W8 for Nabla: tokens/s of sampling <c>tokens</c> characters (batch 1, temperature 1) from the default configuration
    /// with the key/value cache (nanoGPT's crop, and <c>cropTo: block_size / 2</c>) and without it, one JSON line each.
    /// </summary>
    /// <example><c>dotnet run -c Release --project bench/Nabla.Bench -- gpt-generate [tokens]</c></example>
    public static void Generate(string[] args)
    {
        int tokens = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 500;
        var config = new GptConfig();
        var model = new Gpt(config, generator: new Generator(1337)).Eval();
        Tensor prompt = Tensor.From(new long[] { 0 }, [1, 1]);
        model.Generate(prompt, 2 * config.BlockSize, generator: new Generator(1));   // compile the paths once
        model.Generate(prompt, 2 * config.BlockSize, generator: new Generator(1), useCache: false);
        foreach (var (cached, cropTo) in new (bool, int?)[] { (true, null), (true, config.BlockSize / 2), (false, null) })
        {
            var clock = Stopwatch.StartNew();
            model.Generate(prompt, tokens, generator: new Generator(2), useCache: cached, cropTo: cropTo);
            double perS = tokens / clock.Elapsed.TotalSeconds;
            string crop = (cropTo ?? config.BlockSize).ToString(CultureInfo.InvariantCulture);
            Console.WriteLine($"{{\"workload\":\"generate\",\"impl\":\"nabla\",\"cached\":{(cached ? "true" : "false")},\"crop_to\":{crop},\"tokens\":{tokens},\"tokens_per_s\":{perS.ToString("0.#", CultureInfo.InvariantCulture)}}}");
        }
    }
}
