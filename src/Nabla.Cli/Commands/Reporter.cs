using Nabla.Cli.Training;
using Nabla.Cli.Expressions;

namespace Nabla.Cli.Commands;

/// <summary>Writes errors and warnings in one format, with a caret under the offending character.</summary>
/// <remarks>
/// <code>
/// error: unknown function 'foo' at position 1
///   foo(x)
///   ^
/// hint: available functions: exp log sqrt tanh sigmoid relu
/// </code>
/// Positions in messages count characters from 1.
/// </remarks>
public static class Reporter
{
    /// <summary>Writes <c>error: message</c> and, if given, a hint.</summary>
    public static void Error(TextWriter stderr, string message, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        stderr.WriteLine($"error: {message}");
        if (hint is not null) stderr.WriteLine($"hint: {hint}");
    }

    /// <summary>Writes <paramref name="error"/> as an error pointing into <paramref name="source"/>.</summary>
    public static void Error(TextWriter stderr, ParseException error, string source)
    {
        ArgumentNullException.ThrowIfNull(error);
        Positioned(stderr, "error", error.Message, source, error.Position, error.Hint);
    }

    /// <summary>Writes <c>warning: message</c> and, if given, a hint.</summary>
    public static void Warning(TextWriter stderr, string message, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        stderr.WriteLine($"warning: {message}");
        if (hint is not null) stderr.WriteLine($"hint: {hint}");
    }

    /// <summary>Writes a warning pointing at <paramref name="position"/> (0-based) in <paramref name="source"/>.</summary>
    public static void Warning(TextWriter stderr, string message, string source, int position, string? hint = null)
        => Positioned(stderr, "warning", message, source, position, hint);

    private static void Positioned(TextWriter stderr, string severity, string message, string source, int position, string? hint)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(source);
        // NOTE: a control character (a line break inside a quoted expression, say) would break the picture of the text
        // and its caret; the text shows each as a space, so the caret stays under its character, and messages name it.
        stderr.WriteLine($"{severity}: {Visible(message)}");
        stderr.WriteLine($"  {string.Create(source.Length, source, (span, s) => { for (int i = 0; i < s.Length; i++) span[i] = char.IsControl(s[i]) ? ' ' : s[i]; })}");
        stderr.WriteLine($"  {new string(' ', Math.Clamp(position, 0, source.Length))}^");
        if (hint is not null) stderr.WriteLine($"hint: {Visible(hint)}");
    }

    /// <summary><paramref name="text"/> with each control character written as <c>U+XXXX</c>.</summary>
    public static string Visible(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Any(char.IsControl)) return text;
        var visible = new System.Text.StringBuilder(text.Length + 16);
        foreach (char c in text)
            if (char.IsControl(c)) visible.Append(System.Globalization.CultureInfo.InvariantCulture, $"U+{(int)c:X4}");
            else visible.Append(c);
        return visible.ToString();
    }

    /// <summary>
    /// Whether a command should report <paramref name="error"/> in words and exit instead of crashing: bad usage, or a
    /// failure the user can act on (a missing or corrupt file, an unwritable path, a model that does not fit).
    /// </summary>
    public static bool IsUserFacing(Exception error) =>
        error is UsageException or IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException;

    /// <summary>Writes a user-facing error and returns its exit code: 2 for bad usage (with its hint), 1 otherwise.</summary>
    public static int Fail(TextWriter stderr, Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error is UsageException usage)
        {
            Error(stderr, usage.Message, usage.Hint);
            return ExitCodes.Usage;
        }
        Error(stderr, error.Message);
        return ExitCodes.Failure;
    }
}
