using System.Diagnostics;
using Nabla.Tests.Cli;

namespace Nabla.Tests.Distributed;

/// <summary>
/// Runs a program under <c>mpirun -np N</c> on this machine (oversubscribed, TCP over loopback), as the MPI tests and CI do.
/// A missing mpirun fails the test with what to install: the MPI tests never skip.
/// </summary>
internal static class MpiJob
{
    /// <summary>The output of a job: mpirun's exit code, both streams and the wall time.</summary>
    public sealed record Result(int Code, string Out, string Err, TimeSpan Elapsed)
    {
        public override string ToString() => $"exit {Code} after {Elapsed.TotalSeconds:F1}s\n--- stdout\n{Out}\n--- stderr\n{Err}";
    }

    /// <summary>The mpirun options for one machine: more ranks than cores allowed, no core binding, TCP over loopback only.</summary>
    public static readonly string[] LocalOptions = ["--oversubscribe", "--bind-to", "none", "--mca", "btl", "self,tcp", "--mca", "btl_tcp_if_include", "lo"];

    /// <summary>Runs the test worker (tests/Nabla.Distributed.Worker) on <paramref name="ranks"/> ranks.</summary>
    public static Result Worker(int ranks, string[] args, IReadOnlyDictionary<string, string>? environment = null, int timeoutSeconds = 90) =>
        Run(ranks, Path.Combine(AppContext.BaseDirectory, "Nabla.Distributed.Worker.dll"), args, environment, timeoutSeconds);

    /// <summary>Runs the nabla CLI on <paramref name="ranks"/> ranks.</summary>
    public static Result Cli(int ranks, string[] args, int timeoutSeconds = 120) =>
        Run(ranks, Path.Combine(AppContext.BaseDirectory, "Nabla.Cli.dll"), args, null, timeoutSeconds);

    /// <summary>
    /// Runs <c>dotnet <paramref name="dll"/></c> on <paramref name="ranks"/> ranks, or alone without mpirun when
    /// <paramref name="ranks"/> is 0; a job still running after the timeout is killed and fails the test.
    /// </summary>
    public static Result Run(int ranks, string dll, string[] args, IReadOnlyDictionary<string, string>? environment, int timeoutSeconds)
    {
        Assert.True(File.Exists(dll), $"expected {dll} next to the tests");
        var start = new ProcessStartInfo(ranks == 0 ? CliRunner.DotnetHost() : Mpirun())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // mpirun refuses to start as root unless told twice that it is meant (containers and CI run as root).
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1";
        start.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        if (ranks > 0)
        {
            foreach (string a in (string[])["-np", ranks.ToString(), .. LocalOptions])
                start.ArgumentList.Add(a);
            // Passed on to every rank (OpenMPI's -x).
            foreach (string key in (environment ?? new Dictionary<string, string>()).Keys)
            {
                start.ArgumentList.Add("-x");
                start.ArgumentList.Add(key);
            }
            start.ArgumentList.Add(CliRunner.DotnetHost());
        }
        start.ArgumentList.Add(dll);
        foreach (string a in args) start.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"mpirun did not exit within {timeoutSeconds} s (killed); stdout so far:\n{stdout.Result}\nstderr:\n{stderr.Result}");
        }
        process.WaitForExit();
        return new Result(process.ExitCode, stdout.Result.Replace("\r\n", "\n"), stderr.Result.Replace("\r\n", "\n"), clock.Elapsed);
    }

    /// <summary>The mpirun on PATH; fails the test with the packages to install when there is none.</summary>
    public static string Mpirun()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, "mpirun");
            if (File.Exists(candidate)) return candidate;
        }
        Assert.Fail("mpirun is not on PATH: the distributed tests need OpenMPI. Install it with " +
            "'sudo apt-get install openmpi-bin libopenmpi-dev' (tests/run.sh installs it when run as root)");
        return "";
    }

    /// <summary>
    /// The lines of <paramref name="output"/> that hold <paramref name="prefix"/>, from it on (a rank's console may put a
    /// terminal escape sequence before its first line).
    /// </summary>
    public static string[] Lines(string output, string prefix) =>
        [.. output.Split('\n').Select(l => l.IndexOf(prefix, StringComparison.Ordinal) is int i and >= 0 ? l[i..].Trim() : null).OfType<string>()];
}
