namespace Nabla.Optim;

/// <summary>
/// The optimizer's memory for one parameter: how many updates it received and its named buffers
/// (momentum, moment averages, accumulators).
/// </summary>
/// <remarks>
/// Buffers are contiguous tensors of the parameter's shape and dtype, created on the parameter's first
/// update. <see cref="Optimizer.StateDict"/> saves them as <c>state.{paramIndex}.{bufferName}</c>.
/// </remarks>
public sealed class ParameterState
{
    private readonly Dictionary<string, Tensor> _buffers = new(StringComparer.Ordinal);

    /// <summary>The number of updates applied to the parameter, counting the one in progress during an update.</summary>
    public long Step { get; set; }

    /// <summary>The named buffers.</summary>
    public IReadOnlyDictionary<string, Tensor> Buffers => _buffers;

    /// <summary>Returns the buffer named <paramref name="name"/>, or null if it does not exist yet.</summary>
    public Tensor? FindBuffer(string name) => _buffers.GetValueOrDefault(name);

    /// <summary>
    /// Returns the buffer named <paramref name="name"/>, creating it first (shape and dtype of
    /// <paramref name="parameter"/>, every element <paramref name="initialValue"/>) if it does not exist.
    /// </summary>
    public Tensor GetOrCreateBuffer(string name, Tensor parameter, double initialValue = 0)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(parameter);
        if (_buffers.TryGetValue(name, out Tensor? buffer)) return buffer;
        buffer = Tensor.Full(parameter.Dims, initialValue, parameter.DType);
        _buffers[name] = buffer;
        return buffer;
    }

    /// <summary>Stores <paramref name="buffer"/> under <paramref name="name"/>, replacing any buffer of that name.</summary>
    public void SetBuffer(string name, Tensor buffer)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(buffer);
        _buffers[name] = buffer;
    }
}
