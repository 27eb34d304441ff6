namespace Nabla.Cli.Commands;

/// <summary>The process exit codes of every command.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The command failed for a reason it names (missing dataset, corrupt file, NaN loss).</summary>
    public const int Failure = 1;

    /// <summary>Stopped by Ctrl+C after writing what it had.</summary>
    public const int Interrupted = 130;

    /// <summary>Bad usage: an unknown command or option, a malformed expression or option value.</summary>
    public const int Usage = 2;

    /// <summary>A defect of the tool: an exception no command turned into a message (BSD's EX_SOFTWARE).</summary>
    public const int InternalError = 70;
}
