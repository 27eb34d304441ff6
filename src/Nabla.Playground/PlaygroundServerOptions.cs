namespace Nabla.Playground;

/// <summary>Where the playground listens and what it allows.</summary>
public sealed record PlaygroundServerOptions
{
    /// <summary>The default port of <c>nabla playground</c>.</summary>
    public const int DefaultPort = 5185;

    /// <summary>The IP address to bind; 127.0.0.1 (this machine only) by default.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The port; 0 picks a free one.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>Where unexpected failures are written with their stack traces (Note [Playground error contract]); null for standard error.</summary>
    public TextWriter? ErrorLog { get; init; }

    /// <summary>The caps on sessions, networks, data and uploads.</summary>
    public PlaygroundLimits Limits { get; init; } = new();
}
