using System.Diagnostics;
using System.Net.Sockets;
using Nabla.Cli.Training;
using Nabla.Playground;

namespace Nabla.Cli.Commands;

/// <summary><c>nabla playground</c>: serves the interactive backprop page on this machine until Ctrl+C.</summary>
public static class PlaygroundCommand
{
    /// <summary>The command name.</summary>
    public const string Name = "playground";

    /// <summary>One line for the top-level help.</summary>
    public const string Summary = "serve the interactive backprop page (chain rule and network views) on 127.0.0.1";

    private static readonly string[] Valued = ["--port", "--host"];
    private static readonly string[] Flags = ["--help", "--open"];

    /// <summary>The usage text.</summary>
    public static string Usage() => $"""
        usage: nabla playground [--port N] [--open] [--host IP]

        Serves the playground page and its JSON API (see the README's Playground section). Everything runs
        here, in C# with Nabla; the page needs no network. Stop it with Ctrl+C.

        options:
          --port N      the port (default {PlaygroundServerOptions.DefaultPort}; 0 picks a free one)
          --open        open the page in the default browser
          --host IP     the address to bind (default 127.0.0.1, this machine only)

        """;

    /// <summary>Runs the server until Ctrl+C.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return Run(args, stdout, stderr, started: null, stop.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>Runs the server until <paramref name="stop"/> is cancelled; <paramref name="started"/> receives the address once it listens.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, Action<Uri>? started, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args.Contains("--help") || args.Contains("-h"))
        {
            stdout.Write(Usage());
            return ExitCodes.Success;
        }
        PlaygroundServerOptions options;
        bool open;
        try
        {
            var o = new OptionReader(args, Valued, Flags, Name);
            if (o.Positional.Count > 0)
                throw new UsageException($"unexpected argument '{o.Positional[0]}'", "run 'nabla playground --help'");
            string host = o.String("--host", "127.0.0.1");
            if (!System.Net.IPAddress.TryParse(host, out _))
                throw new UsageException($"--host: '{host}' is not an IP address", "pass e.g. --host 127.0.0.1");
            options = new PlaygroundServerOptions { Host = host, Port = o.Int("--port", PlaygroundServerOptions.DefaultPort, 0, 65535), ErrorLog = stderr };
            open = o.Has("--open");
        }
        catch (UsageException e)
        {
            Reporter.Error(stderr, e.Message, e.Hint);
            return ExitCodes.Usage;
        }

        RuntimePolicy.StartWarmup(DType.Float32);
        PlaygroundServer server;
        try
        {
            server = PlaygroundServer.StartAsync(options, stop).GetAwaiter().GetResult();
        }
        catch (IOException e) when (e.InnerException is SocketException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            Reporter.Error(stderr, $"cannot listen on {options.Host}:{options.Port}: {e.Message}", "another program uses the port; pass --port N (or --port 0 for a free one)");
            return ExitCodes.Failure;
        }
        catch (SocketException e)
        {
            Reporter.Error(stderr, $"cannot listen on {options.Host}:{options.Port}: {e.Message}", "pass another --port");
            return ExitCodes.Failure;
        }
        try
        {
            stdout.WriteLine($"Nabla playground: {server.Address}  (Ctrl+C to stop)");
            stdout.Flush();
            started?.Invoke(server.Address);
            if (open) OpenBrowser(server.Address, stderr);
            try
            {
                server.WaitForShutdownAsync(stop).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C.
            }
            return ExitCodes.Success;
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            stdout.WriteLine("Nabla playground stopped.");
        }
    }

    private static void OpenBrowser(Uri address, TextWriter stderr)
    {
        string opener = OperatingSystem.IsWindows() ? "explorer" : OperatingSystem.IsMacOS() ? "open" : "xdg-open";
        try
        {
            using Process? p = Process.Start(new ProcessStartInfo(opener, address.ToString()) { UseShellExecute = false });
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            stderr.WriteLine($"warning: could not open a browser ({opener}: {e.Message}); open {address} yourself");
        }
    }
}
