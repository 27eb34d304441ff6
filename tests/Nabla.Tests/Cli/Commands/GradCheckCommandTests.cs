using static Nabla.Tests.Cli.CliRunner;

namespace Nabla.Tests.Cli.Commands;

/// <summary>`nabla gradcheck` end to end: a small MLP passes, a zero tolerance fails with exit code 1.</summary>
public class GradCheckCommandTests
{
    [Fact]
    public void GradCheck_SmallMlp_PassesEveryParameter()
    {
        var (code, output, err) = Run("gradcheck", "--layers", "64,8,10", "--activation", "tanh", "--max-elements", "6");
        Assert.True(code == 0, err + output);
        Assert.Contains("gradcheck: mlp 64,8,10 on digits", output);
        foreach (string p in new[] { "0.weight", "0.bias", "2.weight", "2.bias" })
            Assert.Contains($"ok    {p}", output);
        Assert.Contains("passed:", output);
    }

    [Fact]
    public void GradCheck_ZeroTolerance_FailsWithExitCode1()
    {
        var (code, output, _) = Run("gradcheck", "--layers", "2,4,2", "--dataset", "xor", "--tolerance", "0", "--eps", "1e-3");
        Assert.Equal(1, code);
        Assert.Contains("FAIL", output);
        Assert.Contains("FAILED:", output);
    }
}
