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
