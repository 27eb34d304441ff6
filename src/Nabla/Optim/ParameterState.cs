namespace Nabla.Optim;

/// <summary>
/// The optimizer's memory for one parameter: how many updates it received, its named buffers
/// (momentum, moment averages, accumulators) and its named numbers (NAdam's product of momentum coefficients).
/// </summary>
/// <remarks>
/// Buffers are contiguous tensors of the parameter's shape and dtype, created on the parameter's first
/// update. <see cref="Optimizer.StateDict"/> saves buffers and numbers as <c>state.{paramIndex}.{name}</c>.
/// </remarks>
public sealed class ParameterState
{
    private readonly Dictionary<string, Tensor> _buffers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _scalars = new(StringComparer.Ordinal);

    /// <summary>The number of updates applied to the parameter, counting the one in progress during an update.</summary>
    public long Step { get; set; }

    /// <summary>The named buffers.</summary>
    public IReadOnlyDictionary<string, Tensor> Buffers => _buffers;

    /// <summary>The named numbers (state that is one value per parameter, not one per element).</summary>
    public IReadOnlyDictionary<string, double> Scalars => _scalars;

    /// <summary>Returns the number named <paramref name="name"/>, or <paramref name="initialValue"/> if it is not set yet.</summary>
    public double GetScalar(string name, double initialValue = 0)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _scalars.TryGetValue(name, out double value) ? value : initialValue;
    }

    /// <summary>Stores <paramref name="value"/> under <paramref name="name"/>, replacing any number of that name.</summary>
    public void SetScalar(string name, double value)
    {
        ArgumentNullException.ThrowIfNull(name);
        _scalars[name] = value;
    }

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
