namespace Nabla.Playground;

/// <summary>The caps the playground enforces; a request beyond one is refused with a 4xx error that names the cap.</summary>
public sealed record PlaygroundLimits
{
    /// <summary>Sessions alive at once; beyond it <c>POST /api/sessions</c> answers 429 (idle sessions are evicted first).</summary>
    public int MaxSessions { get; init; } = 32;

    /// <summary>A session untouched this long is deleted.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Hidden layers.</summary>
    public int MaxHiddenLayers { get; init; } = 6;

    /// <summary>Neurons in one hidden layer.</summary>
    public int MaxNeurons { get; init; } = 16;

    /// <summary>Points in a dataset (train and test together), generated or uploaded.</summary>
    public int MaxPoints { get; init; } = 2000;

    /// <summary>Bytes of an uploaded CSV.</summary>
    public int MaxUploadBytes { get; init; } = 256 * 1024;

    /// <summary>Classes in an uploaded CSV.</summary>
    public int MaxClasses { get; init; } = 8;

    /// <summary>Epochs one <c>step</c> request may run.</summary>
    public int MaxStepEpochs { get; init; } = 200;

    /// <summary>Bytes of a JSON request body.</summary>
    public int MaxJsonBytes { get; init; } = 64 * 1024;
}
