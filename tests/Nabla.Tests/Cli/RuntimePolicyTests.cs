using Nabla.Cli;
using Nabla.Runtime;
using Nabla.Tests.Data;

namespace Nabla.Tests.Cli;

/// <summary>What the tool's process switches on (Note [Runtime policy of the tool]): JIT profiles, the warm-up, the collection after backward.</summary>
public class RuntimePolicyTests
{
    [Fact]
    public void JitProfileName_IsPerCommand_AndPerWorkloadForBench()
    {
        Assert.Equal("train.jitprofile", RuntimePolicy.JitProfileName(["train", "--dataset", "digits"]));
        Assert.Equal("bench-mlp.jitprofile", RuntimePolicy.JitProfileName(["bench", "mlp", "--json"]));
        Assert.Equal("bench.jitprofile", RuntimePolicy.JitProfileName(["bench", "../escape"]));
        Assert.Null(RuntimePolicy.JitProfileName(["no-such-command"]));
        Assert.Null(RuntimePolicy.JitProfileName([]));
    }

    [Fact]
    public void JitProfileDirectory_FollowsTheVariable_AndOffTurnsItOff()
    {
        Assert.Null(RuntimePolicy.JitProfileDirectory(_ => "off"));
        Assert.Null(RuntimePolicy.JitProfileDirectory(_ => "OFF"));
        Assert.Equal("/somewhere/profiles", RuntimePolicy.JitProfileDirectory(_ => "/somewhere/profiles"));
        string? fallback = RuntimePolicy.JitProfileDirectory(_ => null);
        if (fallback is not null) Assert.EndsWith(Path.Combine(".nabla", "jit-profiles"), fallback);
    }

    [Fact]
    public void ARunOfTheTool_LeavesItsProfile_AndASecondRunStillWorks()
    {
        using var dir = new TempDirectory();
        string profiles = Path.Combine(dir.Path, "profiles");
        var env = new Dictionary<string, string> { [RuntimePolicy.JitProfilesVariable] = profiles };
        var first = CliRunner.RunProcess(env, "bench", "overhead", "--ops", "30", "--json");
        Assert.True(first.ExitCode == 0, first.Stderr);
        string file = Path.Combine(profiles, "bench-overhead.jitprofile");
        Assert.True(File.Exists(file) && new FileInfo(file).Length > 0, $"expected a profile at {file}");
        var second = CliRunner.RunProcess(env, "bench", "overhead", "--ops", "30", "--json");
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains("\"workload\":\"overhead\"", second.Stdout);
    }

    [Fact]
    public void JitProfilesOff_WritesNoProfile()
    {
        using var dir = new TempDirectory();
        var result = CliRunner.RunProcess(new Dictionary<string, string> { [RuntimePolicy.JitProfilesVariable] = "off", ["HOME"] = dir.Path }, "bench", "overhead", "--ops", "30", "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.False(System.IO.Directory.Exists(Path.Combine(dir.Path, ".nabla", "jit-profiles")));
    }

    [Fact]
    public void JitProfiles_AnUnmakeableDirectory_RunsWithoutAProfile()
    {
        using var dir = new TempDirectory();
        string file = Path.Combine(dir.Path, "a-file");
        File.WriteAllText(file, "not a directory");
        var result = CliRunner.RunProcess(new Dictionary<string, string> { [RuntimePolicy.JitProfilesVariable] = Path.Combine(file, "profiles") }, "bench", "overhead", "--ops", "30", "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("\"workload\":\"overhead\"", result.Stdout);
    }

    [Fact]
    public void InProcessRunsStartNoWarmup()
    {
        // Program.Run (what these tests call) never enables it; only Program.Main does.
        Assert.False(RuntimePolicy.WarmupEnabled);
    }

    [Fact]
    public void TheVariableTurnsItOff()
    {
        Assert.False(RuntimePolicy.WarmupAllowedBy(v => v == RuntimePolicy.WarmupVariable ? "off" : null));
        Assert.False(RuntimePolicy.WarmupAllowedBy(v => v == RuntimePolicy.WarmupVariable ? "OFF" : null));
        Assert.True(RuntimePolicy.WarmupAllowedBy(v => v == RuntimePolicy.WarmupVariable ? "on" : null));
        Assert.True(RuntimePolicy.WarmupAllowedBy(_ => null));
    }

    [Fact]
    public void Apply_EnablesTheCollectionAfterBackwardOnItsThread_UntilDisposed()
    {
        // With no command (no JIT profile) and the warm-up turned off, Apply changes nothing else in this test process.
        Assert.False(CollectAfterBackward.IsEnabled);
        using (RuntimePolicy.Apply([], _ => "off"))
        {
            Assert.True(CollectAfterBackward.IsEnabled);
            Assert.False(RuntimePolicy.WarmupEnabled);
        }
        Assert.False(CollectAfterBackward.IsEnabled);
    }
}
