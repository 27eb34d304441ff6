using Nabla.Runtime;

namespace Nabla.Tests.Runtime;

/// <summary>
/// The library's switch for the runtime's JIT profiles (Note [JIT profiles]). A profile started here would record this
/// test process, so only arguments refused before anything starts are checked here; the tool's runs check the rest
/// (Cli/RuntimePolicyTests).
/// </summary>
public class JitProfilesTests
{
    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("sub/train.jitprofile")]
    [InlineData("../train.jitprofile")]
    public void Enable_ANameThatIsNotAPlainFileName_IsAnErrorNamingIt(string name)
    {
        using var dir = new Data.TempDirectory();
        string directory = Path.Combine(dir.Path, "profiles");
        var e = Assert.Throws<ArgumentException>(() => JitProfiles.Enable(directory, name));
        Assert.Contains("JitProfiles.Enable", e.Message);
        Assert.Contains($"'{name}'", e.Message);
        Assert.False(Directory.Exists(directory)); // refused before anything was made
    }

    [Fact]
    public void Enable_AnEmptyDirectory_IsAnError()
    {
        var e = Assert.Throws<ArgumentException>(() => JitProfiles.Enable("", "train.jitprofile"));
        Assert.Contains("directory", e.Message);
    }
}
