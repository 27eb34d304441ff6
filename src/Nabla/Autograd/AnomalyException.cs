namespace Nabla;

/// <summary>
/// Thrown inside <see cref="Autograd.DetectAnomaly"/> when a recorded op produces, or a backward rule returns,
/// a NaN or an infinity. The message names the op, its backward node, the input shapes and where the op was created.
/// </summary>
public sealed class AnomalyException : InvalidOperationException
{
    /// <summary>Creates the exception with every detail of the anomaly.</summary>
    public AnomalyException(string message, string opName, string nodeName, bool inBackward, IReadOnlyList<string> inputShapes, string? creationTrace)
        : base(message)
    {
        OpName = opName;
        NodeName = nodeName;
        InBackward = inBackward;
        InputShapes = inputShapes;
        CreationTrace = creationTrace;
    }

    /// <summary>The op, such as <c>Log</c>.</summary>
    public string OpName { get; }

    /// <summary>Its backward node, such as <c>LogBackward</c>.</summary>
    public string NodeName { get; }

    /// <summary>True when the non-finite value came from the backward rule, false when from the forward result.</summary>
    public bool InBackward { get; }

    /// <summary>The shapes of the op's inputs (<c>none</c> for an absent optional input).</summary>
    public IReadOnlyList<string> InputShapes { get; }

    /// <summary>The stack trace of the op's creation, or null when the graph was built outside anomaly mode.</summary>
    public string? CreationTrace { get; }
}
