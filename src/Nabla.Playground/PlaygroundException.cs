namespace Nabla.Playground;

/// <summary>A request the playground refuses: an HTTP status (4xx) and a message for a person to read.</summary>
/// <remarks>The server answers it as <c>{"error": message}</c> with the status; the page shows the message in words.</remarks>
public sealed class PlaygroundException : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="statusCode">The HTTP status to answer with (400 bad input, 404 unknown session, 413 too large, 429 too many sessions).</param>
    /// <param name="message">What was wrong and what to do instead.</param>
    public PlaygroundException(int statusCode, string message) : base(message) => StatusCode = statusCode;

    /// <summary>Creates a 400 error.</summary>
    public PlaygroundException(string message) : this(400, message) { }

    /// <summary>Creates a 400 error.</summary>
    public PlaygroundException() : this(400, "bad request") { }

    /// <summary>Creates a 400 error wrapping a cause.</summary>
    public PlaygroundException(string message, Exception innerException) : base(message, innerException) => StatusCode = 400;

    /// <summary>The HTTP status code.</summary>
    public int StatusCode { get; }
}
