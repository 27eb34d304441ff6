using System.Text.Json;
using Nabla.Optim;

namespace Nabla.Tests.Reference;

/// <summary>Maps the optimizer, scheduler and problem objects of optim.jsonl and seq/optim.jsonl (schema: reference README
/// section 4, seq README section 5) to Nabla.</summary>
internal static class OptimReference
{
    public static Optimizer BuildOptimizer(JsonElement o, IReadOnlyList<Tensor> parameters)
    {
        string name = o.GetProperty("name").GetString()!;
        double Num(string key, double fallback) => o.TryGetProperty(key, out JsonElement v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : fallback;
        bool Flag(string key) => o.TryGetProperty(key, out JsonElement v) && v.ValueKind == JsonValueKind.True;
        double Beta(int i, double fallback) => o.TryGetProperty("betas", out JsonElement b) ? b[i].GetDouble() : fallback;
        return name switch
        {
            "SGD" => new Sgd(parameters, Num("lr", double.NaN), Num("momentum", 0), Num("dampening", 0), Num("weight_decay", 0), Flag("nesterov")),
            "Adam" => new Adam(parameters, Num("lr", 1e-3), Beta(0, 0.9), Beta(1, 0.999), Num("eps", 1e-8), Num("weight_decay", 0), Flag("amsgrad")),
            "AdamW" => new AdamW(parameters, Num("lr", 1e-3), Beta(0, 0.9), Beta(1, 0.999), Num("eps", 1e-8), Num("weight_decay", 1e-2), Flag("amsgrad")),
            "RMSprop" => new RmsProp(parameters, Num("lr", 1e-2), Num("alpha", 0.99), Num("eps", 1e-8), Num("weight_decay", 0), Num("momentum", 0), Flag("centered")),
            "Adagrad" => new Adagrad(parameters, Num("lr", 1e-2), Num("lr_decay", 0), Num("weight_decay", 0), Num("initial_accumulator_value", 0), Num("eps", 1e-10)),
            "NAdam" => new NAdam(parameters, Num("lr", 2e-3), Beta(0, 0.9), Beta(1, 0.999), Num("eps", 1e-8), Num("weight_decay", 0), Num("momentum_decay", 4e-3)),
            "RAdam" => new RAdam(parameters, Num("lr", 1e-3), Beta(0, 0.9), Beta(1, 0.999), Num("eps", 1e-8), Num("weight_decay", 0)),
            "Adamax" => new Adamax(parameters, Num("lr", 2e-3), Beta(0, 0.9), Beta(1, 0.999), Num("eps", 1e-8), Num("weight_decay", 0), Flag("maximize")),
            "Adadelta" => new Adadelta(parameters, Num("lr", 1.0), Num("rho", 0.9), Num("eps", 1e-6), Num("weight_decay", 0), Flag("maximize")),
            "LBFGS" => new Lbfgs(parameters, Num("lr", 1), (int)Num("max_iter", 20),
                o.TryGetProperty("max_eval", out JsonElement me) && me.ValueKind == JsonValueKind.Number ? me.GetInt32() : null,
                Num("tolerance_grad", 1e-7), Num("tolerance_change", 1e-9), (int)Num("history_size", 100),
                o.TryGetProperty("line_search_fn", out JsonElement ls) && ls.ValueKind == JsonValueKind.String
                    ? ls.GetString() == "strong_wolfe" ? LineSearch.StrongWolfe : throw new InvalidDataException($"line_search_fn '{ls.GetString()}' has no mapping to Nabla")
                    : LineSearch.None),
            _ => throw new InvalidDataException($"optimizer '{name}' has no mapping to Nabla"),
        };
    }

    public static LrScheduler BuildScheduler(JsonElement s, Optimizer optimizer)
    {
        string name = s.GetProperty("name").GetString()!;
        double Num(string key, double fallback) => s.TryGetProperty(key, out JsonElement v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : fallback;
        int Int(string key, int fallback) => s.TryGetProperty(key, out JsonElement v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : fallback;
        bool Flag(string key, bool fallback) => s.TryGetProperty(key, out JsonElement v) ? v.ValueKind == JsonValueKind.True : fallback;
        return name switch
        {
            "StepLR" => new StepLR(optimizer, Int("step_size", -1), Num("gamma", 0.1)),
            "MultiStepLR" => new MultiStepLR(optimizer, s.GetProperty("milestones").EnumerateArray().Select(e => e.GetInt32()), Num("gamma", 0.1)),
            "ExponentialLR" => new ExponentialLR(optimizer, Num("gamma", double.NaN)),
            "CosineAnnealingLR" => new CosineAnnealingLR(optimizer, Int("T_max", -1), Num("eta_min", 0)),
            "LinearLR" => new LinearLR(optimizer, Num("start_factor", 1.0 / 3), Num("end_factor", 1.0), Int("total_iters", 5)),
            "ConstantLR" => new ConstantLR(optimizer, Num("factor", 1.0 / 3), Int("total_iters", 5)),
            "PolynomialLR" => new PolynomialLR(optimizer, Int("total_iters", 5), Num("power", 1.0)),
            "LambdaLR" => new LambdaLR(optimizer, Lambda(s.GetProperty("lr_lambda"))),
            "MultiplicativeLR" => new MultiplicativeLR(optimizer, Lambda(s.GetProperty("lr_lambda"))),
            "CosineAnnealingWarmRestarts" => new CosineAnnealingWarmRestarts(optimizer, Int("T_0", -1), Int("T_mult", 1), Num("eta_min", 0)),
            "CyclicLR" => new CyclicLR(optimizer, Num("base_lr", double.NaN), Num("max_lr", double.NaN), Int("step_size_up", 2000),
                s.TryGetProperty("step_size_down", out JsonElement down) && down.ValueKind == JsonValueKind.Number ? down.GetInt32() : null,
                (s.TryGetProperty("mode", out JsonElement mode) ? mode.GetString() : "triangular") switch
                {
                    "triangular" => CyclicMode.Triangular,
                    "triangular2" => CyclicMode.Triangular2,
                    "exp_range" => CyclicMode.ExpRange,
                    var other => throw new InvalidDataException($"CyclicLR mode '{other}' has no mapping to Nabla"),
                },
                Num("gamma", 1.0), cycleMomentum: Flag("cycle_momentum", true), baseMomentum: Num("base_momentum", 0.8), maxMomentum: Num("max_momentum", 0.9)),
            "SequentialLR" => new SequentialLR(optimizer,
                s.GetProperty("schedulers").EnumerateArray().Select(e => BuildScheduler(e, optimizer)).ToList(),
                s.GetProperty("milestones").EnumerateArray().Select(e => e.GetInt32())),
            "OneCycleLR" => new OneCycleLR(optimizer, Num("max_lr", double.NaN), Int("total_steps", -1), Num("pct_start", 0.3),
                s.TryGetProperty("anneal_strategy", out JsonElement a) && a.GetString() == "linear" ? AnnealStrategy.Linear : AnnealStrategy.Cos,
                Flag("cycle_momentum", true), Num("base_momentum", 0.85), Num("max_momentum", 0.95), Num("div_factor", 25), Num("final_div_factor", 1e4),
                Flag("three_phase", false)),
            "ChainedScheduler" => new ChainedScheduler(s.GetProperty("schedulers").EnumerateArray().Select(e => BuildScheduler(e, optimizer)).ToList()),
            _ => throw new InvalidDataException($"scheduler '{name}' has no mapping to Nabla"),
        };
    }

    /// <summary>ReduceLROnPlateau from a scheduler object (it is not an <see cref="LrScheduler"/>: its step takes the metric).</summary>
    public static ReduceLROnPlateau BuildPlateau(JsonElement s, Optimizer optimizer)
    {
        double Num(string key) => s.GetProperty(key).GetDouble();
        int Int(string key) => s.GetProperty(key).GetInt32();
        string Str(string key) => s.GetProperty(key).GetString()!;
        return new ReduceLROnPlateau(optimizer,
            Str("mode") switch { "min" => PlateauMode.Min, "max" => PlateauMode.Max, var m => throw new InvalidDataException($"mode '{m}'") },
            Num("factor"), Int("patience"), Num("threshold"),
            Str("threshold_mode") switch { "rel" => ThresholdMode.Rel, "abs" => ThresholdMode.Abs, var m => throw new InvalidDataException($"threshold_mode '{m}'") },
            Int("cooldown"), Num("min_lr"), Num("eps"));
    }

    /// <summary>A named lr_lambda object (seq README 5.3) as a function of the integer epoch.</summary>
    private static Func<int, double> Lambda(JsonElement f)
    {
        string name = f.GetProperty("name").GetString()!;
        return name switch
        {
            "linear_warmup" => LinearWarmupFactor(f.GetProperty("warmup").GetInt32()),
            "exp" => ExpFactor(f.GetProperty("gamma").GetDouble()),
            "step" => StepFactor(f.GetProperty("step_size").GetInt32(), f.GetProperty("gamma").GetDouble()),
            "constant" => ConstantFactor(f.GetProperty("value").GetDouble()),
            _ => throw new InvalidDataException($"lr_lambda '{name}' has no mapping to Nabla"),
        };

        static Func<int, double> LinearWarmupFactor(int warmup) => e => Math.Min(1.0, (e + 1) / (double)warmup);
        static Func<int, double> ExpFactor(double gamma) => e => Math.Pow(gamma, e);
        static Func<int, double> StepFactor(int stepSize, double gamma) => e => Math.Pow(gamma, Math.Floor((double)e / stepSize));
        static Func<int, double> ConstantFactor(double value) => _ => value;
    }

    /// <summary>The value OneCycleLR cycles: SGD's/RMSprop's momentum or Adam's/AdamW's beta1.</summary>
    public static double MomentumOf(ParamGroup group) => group.HasOption("beta1") ? group.Beta1 : group.Momentum;

    /// <summary>The norm order of a clip object: a number or the string "inf".</summary>
    public static double NormType(JsonElement clip)
    {
        if (!clip.TryGetProperty("norm_type", out JsonElement n)) return 2.0;
        return n.ValueKind == JsonValueKind.String
            ? n.GetString() switch { "inf" => double.PositiveInfinity, "-inf" => double.NegativeInfinity, var other => double.Parse(other!, System.Globalization.CultureInfo.InvariantCulture) }
            : n.GetDouble();
    }

    /// <summary>The loss of a reference problem, built from Nabla ops so that backward runs through Nabla's autograd.</summary>
    public static Tensor Loss(string problem, IReadOnlyDictionary<string, Tensor> data, IReadOnlyDictionary<string, Tensor> p) => problem switch
    {
        // 0.5*sum(h_a*(a - c_a)^2) + 0.5*sum(h_b*(b - c_b)^2)
        "quadratic" => (data["h_a"] * (p["a"] - data["c_a"]).Pow(2)).Sum() * 0.5 + (data["h_b"] * (p["b"] - data["c_b"]).Pow(2)).Sum() * 0.5,
        // mse_loss(tanh(X W0^T + b0) W2^T + b2, Y)
        "mlp_mse" => MeanSquaredError(
            (data["X"].MatMul(p["0.weight"].MT) + p["0.bias"]).Tanh().MatMul(p["2.weight"].MT) + p["2.bias"], data["Y"]),
        _ => throw new InvalidDataException($"problem '{problem}' has no mapping to Nabla"),
    };

    private static Tensor MeanSquaredError(Tensor output, Tensor target) => ((output - target) * (output - target)).Mean();
}
