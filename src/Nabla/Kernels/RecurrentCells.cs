using System.Numerics;
using System.Numerics.Tensors;

namespace Nabla.Kernels;

// Note [Fused recurrent layers]
// One layer-direction of an RNN, LSTM or GRU runs as: one GEMM for the input projection of every time step at once
// (gates = X·W_ihᵀ + b, [T·B, G·H]), then per step one GEMM for all gates of the recurrence (h·W_hhᵀ, accumulated
// into that step's slice of gates for RNN and LSTM; into a scratch row for GRU, whose n gate needs W_hn·h + b_hn on
// its own) and one pass of span kernels that applies the gate nonlinearities and the cell update in place. The gate
// slice is overwritten with the activations (LSTM i, f, g, o; GRU r, z, n), which is what backward needs, so the
// forward keeps per step only those, the cell states (LSTM c_t; GRU W_hn·h + b_hn) and the outputs h_t. Backward
// runs the time loop in reverse with one elementwise pass per step that turns dh (and dc) into the gates' pre-
// activation gradients dG, and one GEMM dG·W_hh for the recurrent dh; after the loop, three GEMMs over all steps give
// dX = dG·W_ih, dW_ih = dGᵀ·X and dW_hh = dGᵀ·H_prev (split in two products so that H_prev is never assembled), and
// the bias gradients are dG's column sums. PyTorch's gate order and formulas: README of the seq reference, 3.2.

/// <summary>The cell a recurrent layer runs (PyTorch's <c>RNN_TANH</c>, <c>RNN_RELU</c>, <c>LSTM</c>, <c>GRU</c> modes).</summary>
internal enum RecurrentCell
{
    RnnTanh,
    RnnRelu,
    Lstm,
    Gru,
}

/// <summary>The sizes of one layer-direction: <c>Steps</c> (T), <c>Batch</c> (B), <c>Input</c> (I), <c>Hidden</c> (H).</summary>
internal readonly record struct RecurrentShape(RecurrentCell Cell, int Steps, int Batch, int Input, int Hidden, bool Reverse)
{
    /// <summary>Gates per hidden unit: 1 (RNN), 4 (LSTM i, f, g, o), 3 (GRU r, z, n).</summary>
    public int Gates => Cell switch { RecurrentCell.Lstm => 4, RecurrentCell.Gru => 3, _ => 1 };

    /// <summary>The width of one row of gates, G·H.</summary>
    public int GateWidth => Gates * Hidden;

    /// <summary>The elements of one step's hidden state, B·H.</summary>
    public int StateSize => Batch * Hidden;

    /// <summary>The time index of loop step <paramref name="step"/>: forward from 0, reverse from T-1.</summary>
    public int TimeOf(int step) => Reverse ? Steps - 1 - step : step;

    /// <summary>The time index whose state feeds time <paramref name="t"/> (not valid for the first step).</summary>
    public int Previous(int t) => Reverse ? t + 1 : t - 1;
}

/// <summary>The forward and backward passes of one recurrent layer-direction over spans (Note [Fused recurrent layers]).</summary>
/// <remarks>
/// Layouts are row-major and contiguous: x [T, B, I], states [B, H], W_ih [G·H, I], W_hh [G·H, H], biases [G·H] (empty
/// spans when the layer has none), gates [T, B, G·H], hs and cells [T, B, H].
/// </remarks>
internal static class RecurrentCells
{
    /// <summary>
    /// Runs the layer: fills <paramref name="hs"/> with h_t, <paramref name="gates"/> with the gate activations (RNN: the
    /// pre-activations) and <paramref name="cells"/> with c_t (LSTM) or W_hn·h_(t-1) + b_hn (GRU; unused for RNN).
    /// </summary>
    public static void Forward<T>(in RecurrentShape s, ReadOnlySpan<T> x, ReadOnlySpan<T> h0, ReadOnlySpan<T> c0,
        ReadOnlySpan<T> wih, ReadOnlySpan<T> whh, ReadOnlySpan<T> bih, ReadOnlySpan<T> bhh,
        Span<T> gates, Span<T> hs, Span<T> cells)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int gw = s.GateWidth, h = s.Hidden, b = s.Batch, rows = s.Steps * b;
        bool bias = bih.Length > 0;
        if (bias)
            for (int r = 0; r < rows; r++)
            {
                Span<T> row = gates.Slice(r * gw, gw);
                bih.CopyTo(row);
                // RNN and LSTM fold b_hh into the projection; GRU adds it per step (b_hn sits inside r * (...)).
                if (s.Cell != RecurrentCell.Gru) TensorPrimitives.Add(row, bhh, row);
            }
        Gemm.Multiply(false, true, rows, gw, s.Input, T.One, x, s.Input, wih, s.Input, bias ? T.One : T.Zero, gates, gw);
        T[]? recurrent = s.Cell == RecurrentCell.Gru ? new T[b * gw] : null;
        for (int step = 0; step < s.Steps; step++)
        {
            int t = s.TimeOf(step);
            ReadOnlySpan<T> hPrev = step == 0 ? h0 : hs.Slice(s.Previous(t) * s.StateSize, s.StateSize);
            Span<T> g = gates.Slice(t * b * gw, b * gw), hNew = hs.Slice(t * s.StateSize, s.StateSize);
            switch (s.Cell)
            {
                case RecurrentCell.Gru:
                    Gemm.Multiply(false, true, b, gw, h, T.One, hPrev, h, whh, h, T.Zero, recurrent, gw);
                    GruStep(s, g, recurrent, bhh, hPrev, cells.Slice(t * s.StateSize, s.StateSize), hNew);
                    break;
                case RecurrentCell.Lstm:
                    Gemm.Multiply(false, true, b, gw, h, T.One, hPrev, h, whh, h, T.One, g, gw);
                    ReadOnlySpan<T> cPrev = step == 0 ? c0 : cells.Slice(s.Previous(t) * s.StateSize, s.StateSize);
                    LstmStep(s, g, cPrev, cells.Slice(t * s.StateSize, s.StateSize), hNew);
                    break;
                default:
                    Gemm.Multiply(false, true, b, gw, h, T.One, hPrev, h, whh, h, T.One, g, gw);
                    if (s.Cell == RecurrentCell.RnnTanh) TensorPrimitives.Tanh(g, hNew);
                    else TensorPrimitives.Max(g, T.Zero, hNew);
                    break;
            }
        }
    }

    // i, f, g, o = sigmoid, sigmoid, tanh, sigmoid of the pre-activations; c' = f*c + i*g; h' = o*tanh(c')
    private static void LstmStep<T>(in RecurrentShape s, Span<T> g, ReadOnlySpan<T> cPrev, Span<T> c, Span<T> hNew)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = s.Hidden;
        for (int b = 0; b < s.Batch; b++)
        {
            Span<T> row = g.Slice(b * 4 * h, 4 * h);
            Span<T> ifGates = row[..(2 * h)], gGate = row.Slice(2 * h, h), oGate = row.Slice(3 * h, h);
            TensorPrimitives.Sigmoid(ifGates, ifGates);
            TensorPrimitives.Tanh(gGate, gGate);
            TensorPrimitives.Sigmoid(oGate, oGate);
            Span<T> cRow = c.Slice(b * h, h), hRow = hNew.Slice(b * h, h);
            TensorPrimitives.Multiply(row.Slice(h, h), cPrev.Slice(b * h, h), cRow);
            TensorPrimitives.FusedMultiplyAdd(row[..h], gGate, cRow, cRow);
            TensorPrimitives.Tanh(cRow, hRow);
            TensorPrimitives.Multiply(hRow, oGate, hRow);
        }
    }

    // r, z = sigmoid(gi + gh); hn = W_hn h + b_hn; n = tanh(gi_n + r*hn); h' = (1-z)*n + z*h = n + z*(h - n)
    private static void GruStep<T>(in RecurrentShape s, Span<T> g, Span<T> recurrent, ReadOnlySpan<T> bhh, ReadOnlySpan<T> hPrev,
        Span<T> hn, Span<T> hNew)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = s.Hidden;
        for (int b = 0; b < s.Batch; b++)
        {
            Span<T> row = g.Slice(b * 3 * h, 3 * h), gh = recurrent.Slice(b * 3 * h, 3 * h);
            if (bhh.Length > 0) TensorPrimitives.Add(gh, bhh, gh);
            Span<T> rz = row[..(2 * h)], r = row[..h], z = row.Slice(h, h), n = row.Slice(2 * h, h);
            TensorPrimitives.Add(rz, gh[..(2 * h)], rz);
            TensorPrimitives.Sigmoid(rz, rz);
            Span<T> hnRow = hn.Slice(b * h, h), hRow = hNew.Slice(b * h, h);
            gh.Slice(2 * h, h).CopyTo(hnRow);
            TensorPrimitives.FusedMultiplyAdd(r, hnRow, n, n);
            TensorPrimitives.Tanh(n, n);
            TensorPrimitives.Subtract(hPrev.Slice(b * h, h), n, hRow);
            TensorPrimitives.FusedMultiplyAdd(z, hRow, n, hRow);
        }
    }

    /// <summary>
    /// Backpropagates through the layer. <paramref name="gradHs"/> [T, B, H] is the upstream gradient of every h_t,
    /// <paramref name="gradCN"/> [B, H] that of the final cell state (LSTM; empty otherwise). Fills
    /// <paramref name="dGih"/> [T, B, G·H] with the gates' pre-activation gradients (and, for GRU,
    /// <paramref name="dGhh"/> with those of the recurrent part, whose n gate is scaled by r), leaves dh0 in
    /// <paramref name="dh"/> and dc0 in <paramref name="dc"/>, and writes each non-empty parameter gradient span.
    /// </summary>
    public static void Backward<T>(in RecurrentShape s, ReadOnlySpan<T> gradHs, ReadOnlySpan<T> gradCN,
        ReadOnlySpan<T> x, ReadOnlySpan<T> h0, ReadOnlySpan<T> c0, ReadOnlySpan<T> wih, ReadOnlySpan<T> whh,
        ReadOnlySpan<T> gates, ReadOnlySpan<T> hs, ReadOnlySpan<T> cells, Span<T> dGih, Span<T> dGhh, Span<T> dh, Span<T> dc,
        Span<T> dx, Span<T> dwih, Span<T> dwhh, Span<T> dbih, Span<T> dbhh)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int gw = s.GateWidth, h = s.Hidden, b = s.Batch, size = s.StateSize, rows = s.Steps * b;
        if (s.Cell != RecurrentCell.Gru) dGhh = dGih;
        dh.Clear();
        if (s.Cell == RecurrentCell.Lstm)
        {
            if (gradCN.Length > 0) gradCN.CopyTo(dc);
            else dc.Clear();
        }
        // GRU: the next dh (dh*z plus the recurrent product); LSTM: tanh(c_t), vectorised once per step.
        T[]? next = s.Cell is RecurrentCell.Gru or RecurrentCell.Lstm ? new T[size] : null;
        for (int step = s.Steps - 1; step >= 0; step--)
        {
            int t = s.TimeOf(step);
            ReadOnlySpan<T> hPrev = step == 0 ? h0 : hs.Slice(s.Previous(t) * size, size);
            ReadOnlySpan<T> up = gradHs.Slice(t * size, size);
            Span<T> dg = dGih.Slice(t * b * gw, b * gw);
            switch (s.Cell)
            {
                case RecurrentCell.Lstm:
                    ReadOnlySpan<T> cPrev = step == 0 ? c0 : cells.Slice(s.Previous(t) * size, size);
                    TensorPrimitives.Tanh(cells.Slice(t * size, size), next);
                    LstmStepBackward(s, gates.Slice(t * b * gw, b * gw), next, cPrev, up, dh, dc, dg);
                    Gemm.Multiply(false, false, b, h, gw, T.One, dg, gw, whh, h, T.Zero, dh, h);
                    break;
                case RecurrentCell.Gru:
                    Span<T> dgh = dGhh.Slice(t * b * gw, b * gw);
                    GruStepBackward(s, gates.Slice(t * b * gw, b * gw), cells.Slice(t * size, size), hPrev, up, dh, dg, dgh, next);
                    Gemm.Multiply(false, false, b, h, gw, T.One, dgh, gw, whh, h, T.One, next, h);
                    next!.CopyTo(dh);
                    break;
                default:
                    RnnStepBackward(s.Cell, hs.Slice(t * size, size), up, dh, dg);
                    Gemm.Multiply(false, false, b, h, gw, T.One, dg, gw, whh, h, T.Zero, dh, h);
                    break;
            }
        }
        if (dx.Length > 0) Gemm.Multiply(false, false, rows, s.Input, gw, T.One, dGih, gw, wih, s.Input, T.Zero, dx, s.Input);
        if (dwih.Length > 0) Gemm.Multiply(true, false, gw, s.Input, rows, T.One, dGih, gw, x, s.Input, T.Zero, dwih, s.Input);
        if (dwhh.Length > 0)
        {
            // dW_hh = sum_t dG_t^T h_prev(t): the steps fed by earlier outputs in one product, the first step (fed by h0) in another.
            int later = rows - b;
            int firstTime = s.TimeOf(0);
            ReadOnlySpan<T> dgLater = s.Reverse ? dGhh[..(later * gw)] : dGhh[(b * gw)..];
            ReadOnlySpan<T> hLater = s.Reverse ? hs[size..] : hs[..(later * h)];
            Gemm.Multiply(true, false, gw, h, later, T.One, dgLater, gw, hLater, h, T.Zero, dwhh, h);
            Gemm.Multiply(true, false, gw, h, b, T.One, dGhh.Slice(firstTime * b * gw, b * gw), gw, h0, h, T.One, dwhh, h);
        }
        if (dbih.Length > 0) ColumnSums(dGih, rows, gw, dbih);
        if (dbhh.Length > 0) ColumnSums(dGhh, rows, gw, dbhh);
    }

    // h = act(a): tanh' = 1 - h^2, relu' = [h > 0]; da = (upstream + recurrent dh) * act'
    private static void RnnStepBackward<T>(RecurrentCell cell, ReadOnlySpan<T> hNew, ReadOnlySpan<T> up, ReadOnlySpan<T> dh, Span<T> dg)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int k = 0; k < dg.Length; k++)
        {
            T d = up[k] + dh[k], y = hNew[k];
            dg[k] = cell == RecurrentCell.RnnTanh ? d * (T.One - y * y) : y > T.Zero ? d : T.Zero;
        }
    }

    // tc = tanh(c); do = dh*tc; dc += dh*o*(1-tc^2); di = dc*g; df = dc*c_prev; dg = dc*i; dc_prev = dc*f;
    // through the activations: sigmoid' = s(1-s), tanh' = 1-y^2
    private static void LstmStepBackward<T>(in RecurrentShape s, ReadOnlySpan<T> act, ReadOnlySpan<T> tanhC, ReadOnlySpan<T> cPrev,
        ReadOnlySpan<T> up, ReadOnlySpan<T> dh, Span<T> dc, Span<T> dg)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = s.Hidden;
        for (int b = 0; b < s.Batch; b++)
        {
            ReadOnlySpan<T> a = act.Slice(b * 4 * h, 4 * h);
            Span<T> d = dg.Slice(b * 4 * h, 4 * h);
            for (int j = 0; j < h; j++)
            {
                int k = b * h + j;
                T i = a[j], f = a[h + j], g = a[2 * h + j], o = a[3 * h + j];
                T tc = tanhC[k], dhk = up[k] + dh[k];
                T dck = dc[k] + dhk * o * (T.One - tc * tc);
                d[j] = dck * g * i * (T.One - i);
                d[h + j] = dck * cPrev[k] * f * (T.One - f);
                d[2 * h + j] = dck * i * (T.One - g * g);
                d[3 * h + j] = dhk * tc * o * (T.One - o);
                dc[k] = dck * f;
            }
        }
    }

    // dn = dh*(1-z); dz = dh*(h_prev - n); da_n = dn*(1-n^2); dr = da_n*hn; dh_prev = dh*z + dG_hh·W_hh,
    // where the recurrent n gate's gradient is da_n*r (n = tanh(gi_n + r*hn))
    private static void GruStepBackward<T>(in RecurrentShape s, ReadOnlySpan<T> act, ReadOnlySpan<T> hn, ReadOnlySpan<T> hPrev,
        ReadOnlySpan<T> up, ReadOnlySpan<T> dh, Span<T> dgi, Span<T> dgh, Span<T> next)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = s.Hidden;
        for (int b = 0; b < s.Batch; b++)
        {
            ReadOnlySpan<T> a = act.Slice(b * 3 * h, 3 * h);
            Span<T> di = dgi.Slice(b * 3 * h, 3 * h), dr = dgh.Slice(b * 3 * h, 3 * h);
            for (int j = 0; j < h; j++)
            {
                int k = b * h + j;
                T r = a[j], z = a[h + j], n = a[2 * h + j], dhk = up[k] + dh[k];
                T dan = dhk * (T.One - z) * (T.One - n * n);
                T dar = dan * hn[k] * r * (T.One - r), daz = dhk * (hPrev[k] - n) * z * (T.One - z);
                di[j] = dr[j] = dar;
                di[h + j] = dr[h + j] = daz;
                di[2 * h + j] = dan;
                dr[2 * h + j] = dan * r;
                next[k] = dhk * z;
            }
        }
    }

    private static void ColumnSums<T>(ReadOnlySpan<T> m, int rows, int cols, Span<T> sums)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        sums.Clear();
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(sums, m.Slice(r * cols, cols), sums);
    }
}
