using Nabla.Kernels;

namespace Nabla.NN;

/// <summary>
/// What <see cref="Rnn"/>, <see cref="Lstm"/> and <see cref="Gru"/> share, PyTorch's <c>nn.RNNBase</c>: the configuration,
/// the parameters (<c>weight_ih_l{k}</c>, <c>weight_hh_l{k}</c>, <c>bias_ih_l{k}</c>, <c>bias_hh_l{k}</c>, then
/// <c>_reverse</c>), their initialisation U(-1/sqrt(H), 1/sqrt(H)) and PyTorch's repr.
/// </summary>
/// <typeparam name="TState">The initial state the forward takes (null for zeros).</typeparam>
/// <typeparam name="TResult">The output and final state the forward returns.</typeparam>
public abstract class RnnBase<TState, TResult> : Module<Tensor, TState, TResult>
{
    private readonly RecurrentCore _core;
    private readonly Generator? _generator;

    private protected RnnBase(string name, RecurrentCell cell, int inputSize, int hiddenSize, int numLayers, bool bias, bool batchFirst,
        double dropout, bool bidirectional, DType dtype, Generator? generator)
    {
        _core = new RecurrentCore(name, cell, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional);
        _generator = generator;
        _core.RegisterParameters(RegisterParameter, dtype, generator);
    }

    /// <summary>Features of the input.</summary>
    public int InputSize => _core.InputSize;

    /// <summary>Features of the hidden state (and the LSTM's cell state).</summary>
    public int HiddenSize => _core.HiddenSize;

    /// <summary>Stacked layers.</summary>
    public int NumLayers => _core.NumLayers;

    /// <summary>Whether input and output are [B, T, features] (the states never are).</summary>
    public bool BatchFirst => _core.BatchFirst;

    /// <summary>Whether the network runs both directions.</summary>
    public bool Bidirectional => _core.Bidirectional;

    /// <summary>The dropout probability on every layer's output except the last, in training.</summary>
    public double Dropout => _core.Dropout;

    /// <summary>Runs the stack of layers with this module's parameters (Note [Fused recurrent layers]).</summary>
    private protected (Tensor Output, Tensor HN, Tensor? CN) RunLayers(Tensor input, Tensor? h0, Tensor? c0) =>
        _core.Run(ParameterEntries, input, h0, c0, IsTraining, _generator);

    /// <inheritdoc/>
    protected override string ExtraRepr() => _core.ExtraRepr();
}
