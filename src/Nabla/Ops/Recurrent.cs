using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla.Ops
{
    /// <summary>One recurrent layer-direction as one op and one node (Note [Fused recurrent layers]).</summary>
    internal static class Recurrent
    {
        /// <summary>
        /// Runs one layer-direction over <paramref name="x"/> [T, B, I] from <paramref name="h0"/> [B, H] (and, for LSTM,
        /// <paramref name="c0"/>): h_t for every time step [T, B, H] and, for LSTM, the final cell state [B, H]. Shapes are
        /// checked by the caller (the module names itself in its errors).
        /// </summary>
        /// <remarks>
        /// The node's output packs the steps' hidden states and, for LSTM, the final cell state as one more row
        /// ([T + 1, B, H]); the results are views of it, so gradients reaching h_t, h_n (a view of the last h_t) and c_n
        /// all meet in one node whose rule runs the whole backward time loop.
        /// </remarks>
        public static (Tensor Hs, Tensor? CN) Layer(RecurrentCell cell, Tensor x, Tensor h0, Tensor? c0, Tensor wih, Tensor whh,
            Tensor? bih, Tensor? bhh, bool reverse)
        {
            if (HalfCompute.Applies([x, h0, c0, wih, whh, bih, bhh])) // See Note [Half compute]
            {
                DType store = HalfCompute.ResultDType([x, h0, c0, wih, whh, bih, bhh]);
                var (hs, cn) = Layer(cell, x.To(DType.Float32), h0.To(DType.Float32), c0?.To(DType.Float32), wih.To(DType.Float32),
                    whh.To(DType.Float32), bih?.To(DType.Float32), bhh?.To(DType.Float32), reverse);
                return (hs.To(store), cn?.To(store));
            }
            var s = new RecurrentShape(cell, x.Dims[0], x.Dims[1], x.Dims[2], whh.Dims[1], reverse);
            bool lstm = cell == RecurrentCell.Lstm;
            Tensor xc = x.ContiguousData(), h0c = h0.ContiguousData(), wihc = wih.ContiguousData(), whhc = whh.ContiguousData();
            Tensor? c0c = c0?.ContiguousData(), bihc = bih?.ContiguousData(), bhhc = bhh?.ContiguousData();
            var gates = Tensor.Empty(x.DType, [s.Steps, s.Batch, s.GateWidth]);
            var packed = Tensor.Empty(x.DType, [lstm ? s.Steps + 1 : s.Steps, s.Batch, s.Hidden]);
            Tensor? cells = cell is RecurrentCell.Lstm or RecurrentCell.Gru ? Tensor.Empty(x.DType, [s.Steps, s.Batch, s.Hidden]) : null;
            if (x.DType == DType.Float32) Forward<float>(s, xc, h0c, c0c, wihc, whhc, bihc, bhhc, gates, packed, cells);
            else Forward<double>(s, xc, h0c, c0c, wihc, whhc, bihc, bhhc, gates, packed, cells);
            if (Autograd.ShouldRecord([x, h0, c0, wih, whh, bih, bhh]))
            {
                Tensor?[] inputs = [x, h0, c0, wih, whh, bih, bhh];
                Tensor?[] saved = [xc, h0c, c0c, wihc, whhc, packed, cell is RecurrentCell.RnnTanh or RecurrentCell.RnnRelu ? null : gates, cells];
                packed.SetGradFn(cell switch
                {
                    RecurrentCell.RnnTanh => new RnnTanhBackward(s, inputs, saved),
                    RecurrentCell.RnnRelu => new RnnReluBackward(s, inputs, saved),
                    RecurrentCell.Lstm => new LstmBackward(s, inputs, saved),
                    _ => new GruBackward(s, inputs, saved),
                });
            }
            if (!lstm) return (packed, null);
            return (packed.Narrow(0, 0, s.Steps), packed.Select(0, s.Steps));
        }

        private static void Forward<T>(in RecurrentShape s, Tensor x, Tensor h0, Tensor? c0, Tensor wih, Tensor whh, Tensor? bih, Tensor? bhh,
            Tensor gates, Tensor packed, Tensor? cells)
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            Span<T> all = packed.Span<T>(), hs = all[..(s.Steps * s.StateSize)];
            Span<T> c = cells is null ? default : cells.Span<T>();
            RecurrentCells.Forward(s, x.Span<T>(), h0.Span<T>(), SpanOf<T>(c0), wih.Span<T>(), whh.Span<T>(), SpanOf<T>(bih), SpanOf<T>(bhh),
                gates.Span<T>(), hs, c);
            // LSTM: the final cell state is the packed output's last row.
            if (s.Cell == RecurrentCell.Lstm) c.Slice(s.TimeOf(s.Steps - 1) * s.StateSize, s.StateSize).CopyTo(all[hs.Length..]);
        }

        internal static Span<T> SpanOf<T>(Tensor? t) => t is null ? default : t.Span<T>();
    }

    /// <summary>
    /// The rule of a fused recurrent layer-direction: the whole backward time loop (Note [Fused recurrent layers]).
    /// Inputs: x, h0, c0, W_ih, W_hh, b_ih, b_hh (null where absent).
    /// </summary>
    internal abstract class RecurrentBackward : Node
    {
        private readonly RecurrentShape _shape;

        // Saved: 0 x, 1 h0, 2 c0, 3 W_ih, 4 W_hh, 5 the packed output, 6 gate activations, 7 cells (all contiguous).
        private protected RecurrentBackward(RecurrentShape shape, Tensor?[] inputs, Tensor?[] saved) : base(inputs)
        {
            _shape = shape;
            foreach (Tensor? t in saved) Save(t);
        }

        public override Tensor?[] Backward(Tensor grad)
        {
            // NOTE: the rule is a kernel, not differentiable tensor ops; a graph of it would be the unfused layer.
            if (Autograd.IsGradEnabled)
                throw new InvalidOperationException(
                    $"{Name}: second derivatives through a fused recurrent layer are not supported (backward was called with " +
                    "createGraph); differentiate the recurrent layer once, without createGraph");
            RecurrentShape s = _shape;
            DType dtype = grad.DType;
            Tensor g = grad.ContiguousData();
            var dGih = Tensor.Empty(dtype, [s.Steps, s.Batch, s.GateWidth]);
            Tensor? dGhh = s.Cell == RecurrentCell.Gru ? Tensor.Empty(dtype, [s.Steps, s.Batch, s.GateWidth]) : null;
            var dh = Tensor.Empty(dtype, [s.Batch, s.Hidden]);
            Tensor? dc = s.Cell == RecurrentCell.Lstm ? Tensor.Empty(dtype, [s.Batch, s.Hidden]) : null;
            Tensor? dx = NeedsGrad(0) ? Tensor.Empty(dtype, [s.Steps, s.Batch, s.Input]) : null;
            Tensor? dwih = NeedsGrad(3) ? Tensor.Empty(dtype, [s.GateWidth, s.Input]) : null;
            Tensor? dwhh = NeedsGrad(4) ? Tensor.Empty(dtype, [s.GateWidth, s.Hidden]) : null;
            Tensor? dbih = NeedsGrad(5) ? Tensor.Empty(dtype, [s.GateWidth]) : null;
            Tensor? dbhh = NeedsGrad(6) ? Tensor.Empty(dtype, [s.GateWidth]) : null;
            if (dtype == DType.Float32) Run<float>(s, g, dGih, dGhh, dh, dc, dx, dwih, dwhh, dbih, dbhh);
            else Run<double>(s, g, dGih, dGhh, dh, dc, dx, dwih, dwhh, dbih, dbhh);
            return [dx, NeedsGrad(1) ? dh : null, NeedsGrad(2) ? dc : null, dwih, dwhh, dbih, dbhh];
        }

        private void Run<T>(in RecurrentShape s, Tensor g, Tensor dGih, Tensor? dGhh, Tensor dh, Tensor? dc,
            Tensor? dx, Tensor? dwih, Tensor? dwhh, Tensor? dbih, Tensor? dbhh)
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            bool lstm = s.Cell == RecurrentCell.Lstm;
            Span<T> up = g.Span<T>();
            int hsLength = s.Steps * s.StateSize;
            ReadOnlySpan<T> gates = lstm || s.Cell == RecurrentCell.Gru ? Saved(6).Span<T>() : default;
            ReadOnlySpan<T> cells = lstm || s.Cell == RecurrentCell.Gru ? Saved(7).Span<T>() : default;
            ReadOnlySpan<T> c0 = lstm ? Saved(2).Span<T>() : default;
            RecurrentCells.Backward(s, up[..hsLength], lstm ? up[hsLength..] : default,
                Saved(0).Span<T>(), Saved(1).Span<T>(), c0, Saved(3).Span<T>(), Saved(4).Span<T>(),
                gates, Saved(5).Span<T>()[..hsLength], cells, dGih.Span<T>(), Recurrent.SpanOf<T>(dGhh), dh.Span<T>(), Recurrent.SpanOf<T>(dc),
                Recurrent.SpanOf<T>(dx), Recurrent.SpanOf<T>(dwih), Recurrent.SpanOf<T>(dwhh), Recurrent.SpanOf<T>(dbih), Recurrent.SpanOf<T>(dbhh));
        }
    }

    // h' = tanh(W_ih x + b_ih + W_hh h + b_hh); BPTT with tanh' = 1 - h'^2
    internal sealed class RnnTanhBackward(RecurrentShape shape, Tensor?[] inputs, Tensor?[] saved) : RecurrentBackward(shape, inputs, saved);

    // h' = relu(W_ih x + b_ih + W_hh h + b_hh); BPTT with relu' = [h' > 0]
    internal sealed class RnnReluBackward(RecurrentShape shape, Tensor?[] inputs, Tensor?[] saved) : RecurrentBackward(shape, inputs, saved);

    // LSTM gates i, f, g, o; c' = f*c + i*g, h' = o*tanh(c'); BPTT through h and c
    internal sealed class LstmBackward(RecurrentShape shape, Tensor?[] inputs, Tensor?[] saved) : RecurrentBackward(shape, inputs, saved);

    // GRU gates r, z, n; n = tanh(W_in x + b_in + r*(W_hn h + b_hn)), h' = (1-z)*n + z*h
    internal sealed class GruBackward(RecurrentShape shape, Tensor?[] inputs, Tensor?[] saved) : RecurrentBackward(shape, inputs, saved);
}
