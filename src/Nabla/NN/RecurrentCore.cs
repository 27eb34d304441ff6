using Nabla.Kernels;
using Nabla.Ops;

namespace Nabla.NN;

/// <summary>
/// What <see cref="Rnn"/>, <see cref="Lstm"/> and <see cref="Gru"/> share (PyTorch's <c>RNNBase</c>): the configuration,
/// the parameter names and shapes, input and state checks, and the stack of layers and directions.
/// </summary>
internal sealed class RecurrentCore
{
    public RecurrentCore(string name, RecurrentCell cell, int inputSize, int hiddenSize, int numLayers, bool bias, bool batchFirst,
        double dropout, bool bidirectional)
    {
        if (inputSize <= 0 || hiddenSize <= 0 || numLayers <= 0)
            throw new ArgumentException(
                $"{name}: input_size, hidden_size and num_layers must be positive, got {inputSize}, {hiddenSize} and {numLayers}");
        if (!(dropout >= 0 && dropout <= 1))
            throw new ArgumentException($"{name}: dropout should be a number in range [0, 1] representing the probability of an element being zeroed, got {dropout}");
        (Name, Cell, InputSize, HiddenSize, NumLayers, Bias, BatchFirst, Dropout, Bidirectional) =
            (name, cell, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional);
    }

    public string Name { get; }
    public RecurrentCell Cell { get; }
    public int InputSize { get; }
    public int HiddenSize { get; }
    public int NumLayers { get; }
    public bool Bias { get; }
    public bool BatchFirst { get; }
    public double Dropout { get; }
    public bool Bidirectional { get; }

    private int Directions => Bidirectional ? 2 : 1;
    private int PerDirection => Bias ? 4 : 2;
    private int GateWidth => new RecurrentShape(Cell, 0, 0, 0, HiddenSize, false).GateWidth;

    /// <summary>PyTorch's parameter names and shapes in state_dict order: per layer, forward then reverse, W_ih, W_hh, b_ih, b_hh.</summary>
    public IEnumerable<(string Name, int[] Shape)> ParameterShapes()
    {
        for (int layer = 0; layer < NumLayers; layer++)
            for (int dir = 0; dir < Directions; dir++)
            {
                string suffix = $"_l{layer}" + (dir == 1 ? "_reverse" : "");
                int inputs = layer == 0 ? InputSize : HiddenSize * Directions;
                yield return ("weight_ih" + suffix, [GateWidth, inputs]);
                yield return ("weight_hh" + suffix, [GateWidth, HiddenSize]);
                if (!Bias) continue;
                yield return ("bias_ih" + suffix, [GateWidth]);
                yield return ("bias_hh" + suffix, [GateWidth]);
            }
    }

    /// <summary>Registers every parameter on <paramref name="register"/> initialised from U(-1/sqrt(H), 1/sqrt(H)), PyTorch's default.</summary>
    public void RegisterParameters(Func<string, Tensor, Tensor> register, DType dtype, Generator? generator)
    {
        double bound = 1 / Math.Sqrt(HiddenSize);
        foreach (var (name, shape) in ParameterShapes())
            Init.Uniform(register(name, Tensor.Zeros(shape, dtype)), -bound, bound, generator);
    }

    /// <summary>PyTorch's <c>extra_repr</c>: <c>4, 3, num_layers=2, bidirectional=True</c>.</summary>
    public string ExtraRepr()
    {
        var s = new System.Text.StringBuilder($"{InputSize}, {HiddenSize}");
        if (NumLayers != 1) s.Append($", num_layers={NumLayers}");
        if (!Bias) s.Append(", bias=False");
        if (BatchFirst) s.Append(", batch_first=True");
        if (Dropout != 0) s.Append($", dropout={PyRepr.Float(Dropout)}");
        if (Bidirectional) s.Append(", bidirectional=True");
        return s.ToString();
    }

    /// <summary>
    /// The forward pass over <paramref name="input"/> with the module's <paramref name="parameters"/> (in
    /// <see cref="ParameterShapes"/> order): the last layer's output and the final states [L·D, B, H] (c only for LSTM).
    /// </summary>
    public (Tensor Output, Tensor HN, Tensor? CN) Run(IReadOnlyList<KeyValuePair<string, Tensor>> parameters, Tensor input, Tensor? h0, Tensor? c0,
        bool training, Generator? generator)
    {
        ArgumentNullException.ThrowIfNull(input);
        bool unbatched = CheckInput(input);
        CheckParameters(parameters, input.DType);
        int steps = input.Dims[unbatched || !BatchFirst ? 0 : 1], batch = unbatched ? 1 : input.Dims[BatchFirst ? 0 : 1];
        int[] state = unbatched ? [NumLayers * Directions, HiddenSize] : [NumLayers * Directions, batch, HiddenSize];
        CheckState(h0, "h0", state, input);
        CheckState(c0, "c0", state, input);
        Tensor x = unbatched ? input.Unsqueeze(1) : BatchFirst ? input.Transpose(0, 1) : input;
        if (unbatched)
        {
            h0 = h0?.Unsqueeze(1);
            c0 = c0?.Unsqueeze(1);
        }
        bool lstm = Cell == RecurrentCell.Lstm;
        Tensor zeros = Tensor.Zeros([batch, HiddenSize], input.DType);
        var hn = new List<Tensor>();
        var cn = new List<Tensor>();
        var outputs = new List<Tensor>(Directions);
        for (int layer = 0; layer < NumLayers; layer++)
        {
            outputs.Clear();
            for (int dir = 0; dir < Directions; dir++)
            {
                int k = layer * Directions + dir, p = k * PerDirection;
                Tensor? bih = Bias ? parameters[p + 2].Value : null, bhh = Bias ? parameters[p + 3].Value : null;
                var (hs, cLast) = Recurrent.Layer(Cell, x, h0?.Select(0, k) ?? zeros, lstm ? c0?.Select(0, k) ?? zeros : null,
                    parameters[p].Value, parameters[p + 1].Value, bih, bhh, reverse: dir == 1);
                outputs.Add(hs);
                hn.Add(hs.Select(0, dir == 0 ? steps - 1 : 0));
                if (cLast is not null) cn.Add(cLast);
            }
            x = Directions == 1 ? outputs[0] : Tensor.Cat(outputs, 2);
            // PyTorch applies dropout to every layer's output but the last, in training only.
            if (layer < NumLayers - 1 && training && Dropout > 0) x = Functional.Dropout(x, Dropout, true, generator);
        }
        Tensor hN = Tensor.Stack(hn, 0), output = x;
        Tensor? cN = lstm ? Tensor.Stack(cn, 0) : null;
        if (unbatched) return (output.Squeeze(1), hN.Squeeze(1), cN?.Squeeze(1));
        return (BatchFirst ? output.Transpose(0, 1).Contiguous() : output, hN, cN);
    }

    /// <summary>Checks rank and feature size; returns whether the input is unbatched (2-D).</summary>
    private bool CheckInput(Tensor input)
    {
        string layout = BatchFirst ? $"[batch, seq_len, {InputSize}] (batch_first=True)" : $"[seq_len, batch, {InputSize}]";
        if (input.Rank is not (2 or 3) || input.Size(-1) != InputSize)
            throw new ArgumentException($"{Name}: expected input of shape {layout} or unbatched [seq_len, {InputSize}] " +
                $"(input_size={InputSize}), got {input.Shape}");
        if (!input.DType.IsFloatingPoint())
            throw new ArgumentException($"{Name}: expected a float32 or float64 input, got {input.DType.Name()}");
        bool unbatched = input.Rank == 2;
        int steps = input.Dims[unbatched || !BatchFirst ? 0 : 1];
        if (steps == 0)
            throw new ArgumentException($"{Name}: expected a sequence of at least one step, got input of shape {input.Shape}");
        return unbatched;
    }

    private void CheckParameters(IReadOnlyList<KeyValuePair<string, Tensor>> parameters, DType dtype)
    {
        int i = 0;
        foreach (var (name, shape) in ParameterShapes())
        {
            Tensor p = parameters[i++].Value;
            if (!p.Shape.ToArray().AsSpan().SequenceEqual(shape))
                throw new ArgumentException($"{Name}: parameter {name} has shape {p.Shape}, expected {new Shape(shape)}");
            if (p.DType != dtype)
                throw new ArgumentException($"{Name}: input is {dtype.Name()} but parameter {name} is {p.DType.Name()}; " +
                    $"convert one of them with To(DType.{p.DType})");
        }
    }

    private void CheckState(Tensor? s, string what, int[] expected, Tensor input)
    {
        if (s is null) return;
        if (!s.Shape.ToArray().AsSpan().SequenceEqual(expected))
            throw new ArgumentException($"{Name}: expected {what} of shape {new Shape(expected)} " +
                $"([num_layers*num_directions, {(expected.Length == 3 ? "batch, " : "")}hidden_size]) for input of shape {input.Shape}, got {s.Shape}");
        if (s.DType != input.DType)
            throw new ArgumentException($"{Name}: {what} is {s.DType.Name()} but the input is {input.DType.Name()}");
    }
}
