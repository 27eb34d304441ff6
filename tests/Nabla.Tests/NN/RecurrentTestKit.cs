using Nabla.NN;

namespace Nabla.Tests.NN;

/// <summary>
/// What the Rnn, Lstm and Gru tests share: a uniform call of the three modules, and the reference README's cell formulas
/// (seq README 3.2) written step by step in ordinary tensor ops, the unfused oracle the fused layers are compared with.
/// </summary>
internal static class RecurrentTestKit
{
    /// <summary>The module's outputs as a list: output, h_n and (LSTM) c_n.</summary>
    public static Tensor[] Run(ModuleBase module, Tensor input, Tensor? h0 = null, Tensor? c0 = null) => module switch
    {
        Lstm lstm => lstm.Forward(input, h0 is null ? null : (h0, c0!)) is var (o, (h, c)) ? [o, h, c] : [],
        Gru gru => gru.Forward(input, h0) is var (o, h) ? [o, h] : [],
        Rnn rnn => rnn.Forward(input, h0) is var (o, h) ? [o, h] : [],
        _ => throw new ArgumentException($"not a recurrent module: {module.GetType().Name}"),
    };

    /// <summary>Every output flattened and concatenated, for gradient checks of all outputs at once.</summary>
    public static Tensor Flat(Tensor[] outputs) => Tensor.Cat(outputs.Select(t => t.Reshape(-1)).ToList(), 0);

    /// <summary>
    /// The unfused computation of <paramref name="module"/> (same parameters, no dropout), one small op at a time:
    /// outputs in the order of <see cref="Run"/>.
    /// </summary>
    public static Tensor[] Reference(ModuleBase module, Tensor input, Tensor? h0 = null, Tensor? c0 = null)
    {
        var (kind, layers, bidirectional, batchFirst, hidden) = module switch
        {
            Lstm l => ("lstm", l.NumLayers, l.Bidirectional, l.BatchFirst, l.HiddenSize),
            Gru g => ("gru", g.NumLayers, g.Bidirectional, g.BatchFirst, g.HiddenSize),
            Rnn r => (r.Nonlinearity == Nonlinearity.Relu ? "relu" : "tanh", r.NumLayers, r.Bidirectional, r.BatchFirst, r.HiddenSize),
            _ => throw new ArgumentException(module.GetType().Name),
        };
        bool unbatched = input.Rank == 2;
        Tensor x = unbatched ? input.Unsqueeze(1) : batchFirst ? input.Transpose(0, 1) : input;
        if (unbatched)
        {
            h0 = h0?.Unsqueeze(1);
            c0 = c0?.Unsqueeze(1);
        }
        int steps = x.Size(0), batch = x.Size(1), directions = bidirectional ? 2 : 1;
        Tensor zeros = Tensor.Zeros([batch, hidden], input.DType);
        var hn = new List<Tensor>();
        var cn = new List<Tensor>();
        for (int layer = 0; layer < layers; layer++)
        {
            var outs = new List<Tensor>();
            for (int dir = 0; dir < directions; dir++)
            {
                int k = layer * directions + dir;
                string sfx = $"_l{layer}" + (dir == 1 ? "_reverse" : "");
                Tensor wih = module.GetParameter("weight_ih" + sfx), whh = module.GetParameter("weight_hh" + sfx);
                bool bias = module.StateDict().ContainsKey("bias_ih" + sfx);
                Tensor? bih = bias ? module.GetParameter("bias_ih" + sfx) : null, bhh = bias ? module.GetParameter("bias_hh" + sfx) : null;
                Tensor h = h0?.Select(0, k) ?? zeros, c = c0?.Select(0, k) ?? zeros;
                var hs = new Tensor[steps];
                for (int s = 0; s < steps; s++)
                {
                    int t = dir == 0 ? s : steps - 1 - s;
                    Tensor gi = x.Select(0, t).MatMul(wih.Transpose(0, 1)), gh = h.MatMul(whh.Transpose(0, 1));
                    if (bih is not null) (gi, gh) = (gi + bih, gh + bhh!);
                    Tensor Gate(Tensor m, int j) => m.Narrow(1, j * hidden, hidden);
                    switch (kind)
                    {
                        case "lstm":
                            Tensor a = gi + gh;
                            Tensor i = Gate(a, 0).Sigmoid(), f = Gate(a, 1).Sigmoid(), g = Gate(a, 2).Tanh(), o = Gate(a, 3).Sigmoid();
                            c = f * c + i * g;
                            h = o * c.Tanh();
                            break;
                        case "gru":
                            Tensor r = (Gate(gi, 0) + Gate(gh, 0)).Sigmoid(), z = (Gate(gi, 1) + Gate(gh, 1)).Sigmoid();
                            Tensor n = (Gate(gi, 2) + r * Gate(gh, 2)).Tanh();
                            h = (1.0 - z) * n + z * h;
                            break;
                        default:
                            h = kind == "relu" ? (gi + gh).Relu() : (gi + gh).Tanh();
                            break;
                    }
                    hs[t] = h;
                }
                outs.Add(Tensor.Stack(hs, 0));
                hn.Add(h);
                cn.Add(c);
            }
            x = directions == 1 ? outs[0] : Tensor.Cat(outs, 2);
        }
        Tensor output = batchFirst && !unbatched ? x.Transpose(0, 1) : x, hN = Tensor.Stack(hn, 0), cN = Tensor.Stack(cn, 0);
        Tensor[] result = kind == "lstm" ? [output, hN, cN] : [output, hN];
        return unbatched ? [.. result.Select(t => t.Squeeze(1))] : result;
    }

    /// <summary>
    /// Asserts that the fused module and the unfused reference agree on every output and on the gradients of the input,
    /// the given states and every parameter, for a random upstream gradient.
    /// </summary>
    public static void AssertMatchesReference(ModuleBase module, Tensor input, Tensor? h0 = null, Tensor? c0 = null)
    {
        Tensor[] leaves = [.. new[] { input, h0, c0 }.OfType<Tensor>(), .. module.Parameters()];
        Tensor[] fused = Run(module, input, h0, c0), reference = Reference(module, input, h0, c0);
        Assert.Equal(reference.Length, fused.Length);
        Tensor v = FunctionalGradCheck.Randn(31, Flat(fused).Shape.ToArray());
        Tensor?[] gFused = Autograd.Grad([Flat(fused)], leaves, [v], allowUnused: true);
        Tensor?[] gReference = Autograd.Grad([Flat(reference)], leaves, [v], allowUnused: true);
        for (int k = 0; k < fused.Length; k++)
        {
            Assert.Equal(reference[k].Shape.ToArray(), fused[k].Shape.ToArray());
            FunctionalGradCheck.AssertAll(reference[k].ToDoubleArray(), fused[k], 1e-10, 1e-12);
        }
        for (int k = 0; k < leaves.Length; k++)
            FunctionalGradCheck.AssertAll(gReference[k]!.ToDoubleArray(), gFused[k]!, 1e-10, 1e-12);
    }

    /// <summary>Finite-difference checks in float64 of every output w.r.t. the input and states, and of a loss w.r.t. every parameter.</summary>
    public static void AssertGradCheck(ModuleBase module, Tensor input, Tensor? h0 = null, Tensor? c0 = null)
    {
        Tensor[] given = [.. new[] { input, h0, c0 }.OfType<Tensor>()];
        FunctionalGradCheck.AssertGradients(t => Flat(Run(module, t[0], t.Length > 1 ? t[1] : null, t.Length > 2 ? t[2] : null)), given);
        Tensor w = FunctionalGradCheck.Randn(41, Flat(Run(module, input, h0, c0)).Shape.ToArray());
        var report = Nabla.Diagnostics.GradCheck.Check(module, () => (Flat(Run(module, input, h0, c0)) * w).Sum());
        Assert.True(report.Passed, report.ToString());
    }

    /// <summary>A float64 leaf of values in [-1, 1) from a seed, requiring a gradient.</summary>
    public static Tensor Leaf(ulong seed, params int[] shape)
    {
        Tensor t = Tensor.Rand(shape, DType.Float64, new Generator(seed)) * 2.0 - 1.0;
        t = t.Detach();
        t.RequiresGrad = true;
        return t;
    }
}
