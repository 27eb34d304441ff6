using Nabla.Cli;

namespace Nabla.Tests.Cli;

/// <summary>The tool's switch for the background warm-up (Note [Warm-up in the tool]).</summary>
public class WarmupPolicyTests
{
    [Fact]
    public void InProcessRunsStartNoWarmup()
    {
        // Program.Run (what these tests call) never enables it; only Program.Main does.
        Assert.False(WarmupPolicy.Enabled);
    }

    [Fact]
    public void TheVariableTurnsItOff()
    {
        Assert.False(WarmupPolicy.AllowedBy(v => v == WarmupPolicy.Variable ? "off" : null));
        Assert.False(WarmupPolicy.AllowedBy(v => v == WarmupPolicy.Variable ? "OFF" : null));
        Assert.True(WarmupPolicy.AllowedBy(v => v == WarmupPolicy.Variable ? "on" : null));
        Assert.True(WarmupPolicy.AllowedBy(_ => null));
    }
}
