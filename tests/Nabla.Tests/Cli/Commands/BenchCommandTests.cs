using System.Text.Json;
using Nabla.Cli;

namespace Nabla.Tests.Cli.Commands;

public class BenchCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void BenchGemm_Json_PrintsOneObjectPerSizeWithGflops()
    {
        var (code, output, err) = Run("bench", "gemm", "--sizes", "32,64", "--json", "--threads", "1");
        Assert.True(code == 0, err);
        var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(4, rows.Count); // two sizes plus the MLP's two layer shapes
        Assert.All(rows, r => Assert.Equal("gemm", r.GetProperty("workload").GetString()));
        Assert.Equal("32", rows[0].GetProperty("n").GetString());
        Assert.All(rows, r => Assert.True(r.GetProperty("gflops").GetDouble() > 0));
        Assert.All(rows, r => Assert.Equal(1, r.GetProperty("threads").GetInt32()));
    }

    [Fact]
    public void BenchOverhead_Json_ReportsMicrosecondsPerOp()
    {
        var (code, output, err) = Run("bench", "overhead", "--json");
        Assert.True(code == 0, err);
        JsonElement row = JsonDocument.Parse(output).RootElement;
        Assert.Equal("overhead", row.GetProperty("workload").GetString());
        Assert.True(row.GetProperty("fwd_us_per_op").GetDouble() > 0);
        Assert.True(row.GetProperty("bwd_us_per_op").GetDouble() > 0);
    }

    [Fact]
    public void BenchMlp_Json_TrainsOneEpochAndReportsThroughputAccuracyAndMemory()
    {
        // Needs the Fashion-MNIST files (tests/run.sh installs dataset-fashion-mnist); batch 512 keeps the epoch short.
        var (code, output, err) = Run("bench", "mlp", "--batch-size", "512", "--json");
        Assert.True(code == 0, err);
        JsonElement row = JsonDocument.Parse(output).RootElement;
        Assert.Equal("mlp", row.GetProperty("workload").GetString());
        Assert.Equal(512, row.GetProperty("batch_size").GetInt32());
        Assert.True(row.GetProperty("samples_per_s").GetDouble() > 0);
        Assert.InRange(row.GetProperty("test_acc").GetDouble(), 0.75, 1.0); // one epoch of a real model, not a number made up
        Assert.True(row.GetProperty("peak_rss_mb").GetDouble() > 0);
        Assert.True(row.GetProperty("alloc_mb_per_step").GetDouble() >= 0);
        Assert.True(row.GetProperty("gc_per_step").GetDouble() >= 0);
        Assert.True(row.GetProperty("full_gc_per_step").GetDouble() <= row.GetProperty("gc_per_step").GetDouble());
        Assert.True(row.GetProperty("gc_pause_ms_per_step").GetDouble() >= 0);
    }

    [Fact]
    public void BenchScalar_Json_RunsTheMicrogradDemoBothWays()
    {
        var (code, output, err) = Run("bench", "scalar", "--json");
        Assert.True(code == 0, err);
        var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["scalar", "batched"], rows.Select(r => r.GetProperty("form").GetString()));
        Assert.All(rows, r => Assert.True(r.GetProperty("seconds").GetDouble() > 0));
        // micrograd's demo separates the moons completely, in either form.
        Assert.All(rows, r => Assert.Equal(1.0, r.GetProperty("accuracy").GetDouble()));
    }

    [Fact]
    public void Bench_UnknownWorkload_Exits2WithHint()
    {
        var (code, _, err) = Run("bench", "resnet");
        Assert.Equal(2, code);
        Assert.Contains("unknown workload", err);
        Assert.Contains("hint:", err);
    }

    [Theory]
    [InlineData("bf16")]
    [InlineData("fp16")]
    public void BenchGptTrain_Precision_TrainsUnderAutocastAndSaysSo(string precision)
    {
        Nabla.Cli.Bench.Workloads.Row row = Nabla.Cli.Bench.TextWorkloads.Train(steps: 1, precision: precision);
        Assert.Equal("gpt", row.Workload);
        Assert.Equal(precision, row.Fields["precision"]);
        Assert.InRange((double)row.Fields["final_loss"], 1.0, 5.0); // ln 65 = 4.17 at the start
    }

    [Fact]
    public void BenchGenerateLarge_Json_OneRowPerDTypeWithTheirSpeedsAndWeightBytes()
    {
        var (code, output, err) = Run("bench", "generate-large", "--n-layer", "1", "--n-head", "2", "--n-embd", "16", "--block-size", "8",
            "--rounds", "3", "--json", "--threads", "1");
        Assert.True(code == 0, err);
        var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["fp32", "bf16"], rows.Select(r => r.GetProperty("dtype").GetString()));
        foreach (JsonElement r in rows)
        {
            Assert.Equal("generate-large", r.GetProperty("workload").GetString());
            Assert.Equal(16, r.GetProperty("n_embd").GetInt32());
            Assert.Equal(7, r.GetProperty("tokens").GetInt32()); // block_size - 1
            double[] rounds = [.. r.GetProperty("tokens_per_s_rounds").EnumerateArray().Select(e => e.GetDouble())];
            Assert.Equal(3, rounds.Length);
            Assert.All(rounds, v => Assert.True(v > 0));
            Assert.Equal(rounds.Order().ElementAt(1), r.GetProperty("tokens_per_s").GetDouble()); // the median
            Assert.True(r.GetProperty("weight_gb_per_s").GetDouble() > 0);
        }
        // One layer of width 16 with the 65-character vocabulary and 8 positions: 12*16*16 + 2*16 + (65 + 8)*16 + 16
        // weights (blocks, two layer norms, the embeddings, the final norm), 4 bytes each in fp32 and 2 in bf16.
        double weights = 12 * 16 * 16 + 2 * 16 + (65 + 8) * 16 + 16;
        Assert.Equal(4 * weights / (1024 * 1024), rows[0].GetProperty("weight_mb").GetDouble(), 12);
        Assert.Equal(2 * weights / (1024 * 1024), rows[1].GetProperty("weight_mb").GetDouble(), 12);
        double ratio = rows[1].GetProperty("tokens_per_s").GetDouble() / rows[0].GetProperty("tokens_per_s").GetDouble();
        Assert.Equal(ratio, rows[1].GetProperty("vs_fp32").GetDouble(), 12);
        Assert.Equal(3, rows[1].GetProperty("vs_fp32_rounds").GetArrayLength());
        Assert.InRange(rows[1].GetProperty("logits_max_abs_diff").GetDouble(), 1e-6, 0.05); // rounded to bf16, not the fp32 model again
        Assert.False(rows[0].TryGetProperty("vs_fp32", out _));
    }

    [Theory]
    [InlineData("generate-large", "--n-embd 10 --n-head 3", "--n-embd 10 is not a multiple of --n-head 3")]
    [InlineData("generate-large", "--rounds 0", "--rounds")]
    [InlineData("gpt", "--rounds 2", "--rounds does not apply to 'bench gpt': it is for 'bench generate-large'")]
    public void BenchGenerateLarge_BadUse_Exits2WithHint(string workload, string options, string message)
    {
        var (code, output, err) = Run(["bench", workload, .. options.Split(' ')]);
        Assert.Equal(2, code);
        Assert.Contains(message, err);
        Assert.Contains("hint:", err);
        Assert.Equal("", output);
    }

    [Theory]
    [InlineData("gpt", "--precision fp8", "unknown precision 'fp8'")]
    [InlineData("mlp", "--precision bf16", "--precision does not apply to 'bench mlp': it is for 'bench gpt'")]
    public void BenchPrecision_BadUse_Exits2WithHint(string workload, string options, string message)
    {
        var (code, _, err) = Run(["bench", workload, .. options.Split(' ')]);
        Assert.Equal(2, code);
        Assert.Contains(message, err);
        Assert.Contains("hint:", err);
    }
}
