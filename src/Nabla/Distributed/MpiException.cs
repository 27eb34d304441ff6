namespace Nabla.Distributed;

/// <summary>An MPI call returned an error: names the call, MPI's error code and MPI's text for it.</summary>
public sealed class MpiException : Exception
{
    /// <summary>Creates the exception for <paramref name="call"/> failing with <paramref name="errorCode"/>.</summary>
    public MpiException(string call, int errorCode, string errorText)
        : base($"{call} failed: {errorText} (MPI error code {errorCode})")
    {
        Call = call;
        ErrorCode = errorCode;
        ErrorText = errorText;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public MpiException() : this("MPI", 0, "unknown error") { }

    /// <summary>Creates the exception with a message only.</summary>
    public MpiException(string message) : base(message)
    {
        Call = "MPI";
        ErrorText = message;
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public MpiException(string message, Exception innerException) : base(message, innerException)
    {
        Call = "MPI";
        ErrorText = message;
    }

    /// <summary>The MPI function that failed, such as <c>MPI_Bcast</c>.</summary>
    public string Call { get; }

    /// <summary>The code it returned.</summary>
    public int ErrorCode { get; }

    /// <summary>MPI's text for the code (<c>MPI_Error_string</c>).</summary>
    public string ErrorText { get; }
}
