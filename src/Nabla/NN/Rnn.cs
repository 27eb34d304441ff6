using Nabla.Kernels;

namespace Nabla.NN;

/// <summary>
/// A multi-layer Elman network, PyTorch's <c>nn.RNN</c>: for each step <c>h' = act(W_ih x + b_ih + W_hh h + b_hh)</c> with
/// act tanh or ReLU.
/// </summary>
/// <remarks>
/// <para>Input [T, B, input_size] ([B, T, input_size] with <c>batchFirst</c>, or unbatched [T, input_size]); optional initial
/// state h0 [num_layers·D, B, hidden_size] (unbatched [num_layers·D, hidden_size]), D = 2 when bidirectional; absent, zeros.
/// <c>batchFirst</c> applies to the input and output only. Returns (output [T, B, D·hidden_size], h_n shaped like h0), with
/// dropout between layers (not after the last) in training mode.</para>
/// <para>Parameters, in state_dict order and PyTorch's names: <c>weight_ih_l{k}</c> [H, I_k], <c>weight_hh_l{k}</c> [H, H],
/// <c>bias_ih_l{k}</c>, <c>bias_hh_l{k}</c> [H], then <c>_reverse</c>. Initialised U(-1/sqrt(H), 1/sqrt(H)). Each layer and
/// direction runs fused (Note [Fused recurrent layers]); no second derivatives through it.</para>
/// </remarks>
public sealed class Rnn : RnnBase<Tensor?, (Tensor Output, Tensor HN)>
{
    /// <summary>
    /// Creates the network, PyTorch's <c>nn.RNN(input_size, hidden_size, num_layers, nonlinearity, bias, batch_first, dropout,
    /// bidirectional)</c>.
    /// </summary>
    /// <param name="inputSize">Features of the input.</param>
    /// <param name="hiddenSize">Features of the hidden state.</param>
    /// <param name="numLayers">Stacked layers.</param>
    /// <param name="nonlinearity"><see cref="NN.Nonlinearity.Tanh"/> (the default) or <see cref="NN.Nonlinearity.Relu"/>.</param>
    /// <param name="bias">Whether the layers have b_ih and b_hh.</param>
    /// <param name="batchFirst">Input and output are [B, T, features].</param>
    /// <param name="dropout">Dropout probability on every layer's output except the last, in training.</param>
    /// <param name="bidirectional">Run a reverse direction too and concatenate both outputs.</param>
    /// <param name="dtype">The parameters' dtype.</param>
    /// <param name="generator">The random source of the initialisation and of the dropout masks (the default generator when null).</param>
    public Rnn(int inputSize, int hiddenSize, int numLayers = 1, Nonlinearity nonlinearity = Nonlinearity.Tanh, bool bias = true,
        bool batchFirst = false, double dropout = 0, bool bidirectional = false, DType dtype = DType.Float32, Generator? generator = null)
        : base("RNN", CellOf(nonlinearity), inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, dtype, generator)
    {
        Nonlinearity = nonlinearity;
    }

    private static RecurrentCell CellOf(Nonlinearity nonlinearity) => nonlinearity switch
    {
        Nonlinearity.Tanh => RecurrentCell.RnnTanh,
        Nonlinearity.Relu => RecurrentCell.RnnRelu,
        _ => throw new ArgumentException($"RNN: unknown nonlinearity {nonlinearity}; expected Tanh or Relu"),
    };

    /// <summary>The activation: tanh or ReLU.</summary>
    public Nonlinearity Nonlinearity { get; }

    /// <summary>Runs the network from a zero initial state.</summary>
    public (Tensor Output, Tensor HN) Forward(Tensor input) => Forward(input, null);

    /// <inheritdoc/>
    protected override (Tensor Output, Tensor HN) OnForward(Tensor input, Tensor? h0)
    {
        var (output, hn, _) = RunLayers(input, h0, null);
        return (output, hn);
    }
}
