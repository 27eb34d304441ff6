using Nabla.Cli;

namespace Nabla.Tests.Cli;

/// <summary>Runs the tool in-process and checks the shape of its error output.</summary>
internal static class CliRunner
{
    /// <summary>Runs <c>nabla</c> with <paramref name="args"/>; an exception escaping the tool fails the test that called it.</summary>
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Asserts that <paramref name="err"/> is a message a user can act on: it starts with <c>error:</c> and holds no stack trace.</summary>
    public static void AssertMessage(string err)
    {
        Assert.StartsWith("error: ", err);
        Assert.DoesNotContain("   at ", err);
        Assert.DoesNotContain("Exception", err);
    }
}
