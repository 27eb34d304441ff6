using Nabla.Kernels;

namespace Nabla.NN;

/// <summary>
/// A multi-layer long short-term memory network, PyTorch's <c>nn.LSTM</c>: for each step
/// <c>i, f, g, o = σ, σ, tanh, σ(W_ih x + b_ih + W_hh h + b_hh)</c>, <c>c' = f*c + i*g</c>, <c>h' = o*tanh(c')</c>.
/// </summary>
/// <remarks>
/// <para>Input [T, B, input_size] ([B, T, input_size] with <c>batchFirst</c>, or unbatched [T, input_size]); optional initial
/// states (h0, c0), each [num_layers·D, B, hidden_size] (unbatched [num_layers·D, hidden_size]), D = 2 when bidirectional;
/// absent states are zeros. <c>batchFirst</c> applies to the input and output only, never to the states. Returns
/// (output [T, B, D·hidden_size], (h_n, c_n) shaped like h0). Layer k &gt; 0 consumes layer k-1's output, with dropout
/// between layers (not after the last) in training mode.</para>
/// <para>Parameters, in state_dict order and PyTorch's names: <c>weight_ih_l{k}</c> [4H, I_k], <c>weight_hh_l{k}</c> [4H, H],
/// <c>bias_ih_l{k}</c> [4H], <c>bias_hh_l{k}</c> [4H] (the gates' rows stacked i, f, g, o), then the same with
/// <c>_reverse</c> when bidirectional. Initialised U(-1/sqrt(H), 1/sqrt(H)). Each layer and direction runs fused: one GEMM
/// per step for all gates and one node for the whole sequence (Note [Fused recurrent layers]); second derivatives through it
/// are not supported.</para>
/// </remarks>
public sealed class Lstm : RnnBase<(Tensor H0, Tensor C0)?, (Tensor Output, (Tensor HN, Tensor CN) State)>
{
    /// <summary>Creates the network, PyTorch's <c>nn.LSTM(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional)</c>.</summary>
    /// <param name="inputSize">Features of the input.</param>
    /// <param name="hiddenSize">Features of the hidden and cell states.</param>
    /// <param name="numLayers">Stacked layers.</param>
    /// <param name="bias">Whether the layers have b_ih and b_hh.</param>
    /// <param name="batchFirst">Input and output are [B, T, features].</param>
    /// <param name="dropout">Dropout probability on every layer's output except the last, in training.</param>
    /// <param name="bidirectional">Run a reverse direction too and concatenate both outputs.</param>
    /// <param name="dtype">The parameters' dtype.</param>
    /// <param name="generator">The random source of the initialisation and of the dropout masks (the default generator when null).</param>
    public Lstm(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false, double dropout = 0,
        bool bidirectional = false, DType dtype = DType.Float32, Generator? generator = null)
        : base("LSTM", RecurrentCell.Lstm, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, dtype, generator)
    {
    }

    /// <summary>Runs the network from zero initial states.</summary>
    public (Tensor Output, (Tensor HN, Tensor CN) State) Forward(Tensor input) => Forward(input, null);

    /// <inheritdoc/>
    protected override (Tensor Output, (Tensor HN, Tensor CN) State) OnForward(Tensor input, (Tensor H0, Tensor C0)? state)
    {
        var (output, hn, cn) = RunLayers(input, state?.H0, state?.C0);
        return (output, (hn, cn!));
    }
}
