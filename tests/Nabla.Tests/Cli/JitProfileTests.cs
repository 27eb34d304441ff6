using Nabla.Cli;
using Nabla.Tests.Data;

namespace Nabla.Tests.Cli;

/// <summary>The tool's multicore-JIT profiles (Note [JIT profiles]).</summary>
public class JitProfileTests
{
    [Fact]
    public void FileName_IsPerCommand_AndPerWorkloadForBench()
    {
        Assert.Equal("train.jitprofile", JitProfile.FileName(["train", "--dataset", "digits"]));
        Assert.Equal("bench-mlp.jitprofile", JitProfile.FileName(["bench", "mlp", "--json"]));
        Assert.Equal("bench.jitprofile", JitProfile.FileName(["bench", "../escape"]));
        Assert.Null(JitProfile.FileName(["no-such-command"]));
        Assert.Null(JitProfile.FileName([]));
    }

    [Fact]
    public void Directory_FollowsTheVariable_AndOffTurnsItOff()
    {
        Assert.Null(JitProfile.Directory(_ => "off"));
        Assert.Null(JitProfile.Directory(_ => "OFF"));
        Assert.Equal("/somewhere/profiles", JitProfile.Directory(_ => "/somewhere/profiles"));
        string? fallback = JitProfile.Directory(_ => null);
        if (fallback is not null) Assert.EndsWith(Path.Combine(".nabla", "jit-profiles"), fallback);
    }

    [Fact]
    public void ARunOfTheTool_LeavesItsProfile_AndASecondRunStillWorks()
    {
        using var dir = new TempDirectory();
        string profiles = Path.Combine(dir.Path, "profiles");
        var env = new Dictionary<string, string> { [JitProfile.Variable] = profiles };
        var first = CliGradTests.RunProcess(env, "bench", "overhead", "--ops", "30", "--json");
        Assert.True(first.ExitCode == 0, first.Stderr);
        string file = Path.Combine(profiles, "bench-overhead.jitprofile");
        Assert.True(File.Exists(file) && new FileInfo(file).Length > 0, $"expected a profile at {file}");
        var second = CliGradTests.RunProcess(env, "bench", "overhead", "--ops", "30", "--json");
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains("\"workload\":\"overhead\"", second.Stdout);
    }

    [Fact]
    public void Off_WritesNoProfile()
    {
        using var dir = new TempDirectory();
        var result = CliGradTests.RunProcess(new Dictionary<string, string> { [JitProfile.Variable] = "off", ["HOME"] = dir.Path }, "bench", "overhead", "--ops", "30", "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.False(System.IO.Directory.Exists(Path.Combine(dir.Path, ".nabla", "jit-profiles")));
    }
}
