using System.Diagnostics;
using System.Text.Json;
using System.Xml.Linq;
using Nabla.Cli;

namespace Nabla.Tests.Cli;

/// <summary>Runs the tool in-process or as its own process, and checks the shape of its error output.</summary>
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

    /// <summary>Runs <c>nabla</c> in-process like <see cref="Run"/>, returning the output as a <see cref="CliResult"/>.</summary>
    public static CliResult Invoke(params string[] args)
    {
        var (code, stdout, stderr) = Run(args);
        return new CliResult(code, stdout.Replace("\r\n", "\n"), stderr.Replace("\r\n", "\n"));
    }

    /// <summary>Runs the built CLI as its own process.</summary>
    public static CliResult RunProcess(params string[] args) => RunProcess(new Dictionary<string, string>(), args);

    /// <summary>Runs the built CLI as its own process with extra environment variables.</summary>
    public static CliResult RunProcess(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Nabla.Cli.dll");
        Assert.True(File.Exists(dll), $"expected the CLI next to the tests at {dll}");
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment) start.Environment[key] = value;
        start.ArgumentList.Add(dll);
        foreach (string a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "the CLI did not exit within 60 s");
        return new CliResult(process.ExitCode, stdout.Result.Replace("\r\n", "\n"), stderr.Result.Replace("\r\n", "\n"));
    }

    /// <summary>Asserts that <paramref name="err"/> is a message a user can act on: it starts with <c>error:</c> and holds no stack trace.</summary>
    public static void AssertMessage(string err)
    {
        Assert.StartsWith("error: ", err);
        Assert.DoesNotContain("   at ", err);
        Assert.DoesNotContain("Exception", err);
    }

    /// <summary>The summary.json a training run wrote to <paramref name="dir"/>.</summary>
    public static JsonElement Summary(string dir) => JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json"))).RootElement;

    /// <summary>The contents of every <c>text</c> element of an SVG document.</summary>
    public static List<string> SvgTexts(string svg) =>
        XDocument.Parse(svg).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value).ToList();

    internal static string DotnetHost()
    {
        string? fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk)) return fromSdk;
        string? self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        return "dotnet";
    }
}
