using System.Globalization;

namespace Nabla.Tests.Cli;

/// <summary>What a run of the tool printed and returned, with <c>\n</c> line ends, and readers for <c>nabla grad</c>'s output.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public string[] StderrLines => Stderr.Split('\n');

    public double Value => Number(StdoutLines.Single(l => l.StartsWith("value: ")), "value: ");

    public double Grad(string name) => Number(StdoutLines.Single(l => l.StartsWith($"dL/d{name} = ")), $"dL/d{name} = ");

    private static double Number(string line, string prefix) => double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
}
