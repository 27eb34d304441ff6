using System.Text.Json;
using Nabla.Optim;

namespace Nabla.Tests.Reference;

/// <summary>Maps the optimizer, scheduler and problem objects of optim.jsonl (schema: reference README section 4) to Nabla.</summary>
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
            "LinearLR" => new LinearWarmup(optimizer, Num("start_factor", 1.0 / 3), Num("end_factor", 1.0), Int("total_iters", 5)),
            "OneCycleLR" => new OneCycleLR(optimizer, Num("max_lr", double.NaN), Int("total_steps", -1), Num("pct_start", 0.3),
                s.TryGetProperty("anneal_strategy", out JsonElement a) && a.GetString() == "linear" ? AnnealStrategy.Linear : AnnealStrategy.Cos,
                Flag("cycle_momentum", true), Num("base_momentum", 0.85), Num("max_momentum", 0.95), Num("div_factor", 25), Num("final_div_factor", 1e4),
                Flag("three_phase", false)),
            "ChainedScheduler" => new ChainedScheduler(s.GetProperty("schedulers").EnumerateArray().Select(e => BuildScheduler(e, optimizer)).ToList()),
            _ => throw new InvalidDataException($"scheduler '{name}' has no mapping to Nabla"),
        };
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
