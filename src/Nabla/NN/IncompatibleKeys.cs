namespace Nabla.NN;

/// <summary>
/// What <see cref="ModuleBase.LoadStateDict"/> could not match, as PyTorch's <c>_IncompatibleKeys</c>: the module's names
/// the state lacks and the state's names the module does not have.
/// </summary>
/// <param name="MissingKeys">Names of the module's parameters and buffers that the state has no tensor for (not loaded).</param>
/// <param name="UnexpectedKeys">Names in the state that the module does not have (ignored).</param>
public sealed record IncompatibleKeys(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys)
{
    /// <summary>True when every name matched.</summary>
    public bool IsEmpty => MissingKeys.Count == 0 && UnexpectedKeys.Count == 0;

    /// <inheritdoc/>
    public override string ToString() =>
        IsEmpty ? "<All keys matched successfully>"
            : $"missing_keys=[{string.Join(", ", MissingKeys.Select(k => $"'{k}'"))}], unexpected_keys=[{string.Join(", ", UnexpectedKeys.Select(k => $"'{k}'"))}]";
}
