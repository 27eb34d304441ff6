using System.Text.Json;

namespace Nabla.Tests.Reference;

/// <summary>Maps each op name of ops.jsonl to Nabla's API. Inputs are bound by name, attributes by key.</summary>
internal static class ReferenceOps
{
    public delegate Tensor OpFunc(Func<string, Tensor> input, Func<string, Tensor?> optional, IReadOnlyList<Tensor> tensors, Attrs attrs);

    public static readonly Dictionary<string, OpFunc> Table = new()
    {
        ["add"] = (x, o, _, a) => a.Has("other") ? x("input").Add(a.Double("other")) : x("input").Add(x("other")),
        ["sub"] = (x, o, _, a) => a.Has("other") ? x("input").Sub(a.Double("other")) : x("input").Sub(x("other")),
        ["mul"] = (x, o, _, a) => a.Has("other") ? x("input").Mul(a.Double("other")) : x("input").Mul(x("other")),
        ["div"] = (x, o, _, a) => a.Has("other") ? x("input").Div(a.Double("other")) : x("input").Div(x("other")),
        ["pow"] = (x, o, _, a) => a.Has("exponent") ? x("input").Pow(a.Double("exponent")) : x("input").Pow(x("exponent")),
        ["maximum"] = (x, o, _, a) => x("input").Maximum(x("other")),
        ["minimum"] = (x, o, _, a) => x("input").Minimum(x("other")),
        ["where"] = (x, o, _, a) => Tensor.Where(x("condition"), x("input"), x("other")),
        ["neg"] = (x, o, _, a) => x("input").Neg(),
        ["exp"] = (x, o, _, a) => x("input").Exp(),
        ["log"] = (x, o, _, a) => x("input").Log(),
        ["sqrt"] = (x, o, _, a) => x("input").Sqrt(),
        ["abs"] = (x, o, _, a) => x("input").Abs(),
        ["tanh"] = (x, o, _, a) => x("input").Tanh(),
        ["sigmoid"] = (x, o, _, a) => x("input").Sigmoid(),
        ["relu"] = (x, o, _, a) => x("input").Relu(),
        ["clamp"] = (x, o, _, a) => x("input").Clamp(a.OptDouble("min"), a.OptDouble("max")),
        ["sum"] = (x, o, _, a) => x("input").Sum(a.Dims("dim"), a.Bool("keepdim")),
        ["mean"] = (x, o, _, a) => x("input").Mean(a.Dims("dim"), a.Bool("keepdim")),
        ["max"] = (x, o, _, a) => x("input").Max(a.OptInt("dim"), a.Bool("keepdim")),
        ["var"] = (x, o, _, a) => x("input").Var(a.Dims("dim"), a.Bool("unbiased"), a.Bool("keepdim")),
        ["std"] = (x, o, _, a) => x("input").Std(a.Dims("dim"), a.Bool("unbiased"), a.Bool("keepdim")),
        ["logsumexp"] = (x, o, _, a) => x("input").LogSumExp(a.Dims("dim")!, a.Bool("keepdim")),
        ["softmax"] = (x, o, _, a) => x("input").Softmax(a.Int("dim")),
        ["log_softmax"] = (x, o, _, a) => x("input").LogSoftmax(a.Int("dim")),
        ["matmul"] = (x, o, _, a) => x("input").MatMul(x("other")),
        ["reshape"] = (x, o, _, a) => x("input").Reshape(a.Ints("shape")),
        ["transpose"] = (x, o, _, a) => x("input").Transpose(a.Int("dim0"), a.Int("dim1")),
        ["permute"] = (x, o, _, a) => x("input").Permute(a.Ints("dims")),
        ["narrow"] = (x, o, _, a) => x("input").Narrow(a.Int("dim"), a.Int("start"), a.Int("length")),
        ["slice"] = (x, o, _, a) => x("input").Slice(a.Int("dim"), a.Int("start"), a.Int("end"), a.Int("step")),
        ["squeeze"] = (x, o, _, a) => x("input").Squeeze(a.OptInt("dim")),
        ["unsqueeze"] = (x, o, _, a) => x("input").Unsqueeze(a.Int("dim")),
        ["expand"] = (x, o, _, a) => x("input").Expand(a.Ints("size")),
        ["flatten"] = (x, o, _, a) => x("input").Flatten(a.Int("start_dim"), a.Int("end_dim")),
        ["silu"] = (x, o, _, a) => Functional.Silu(x("input")),
        ["leaky_relu"] = (x, o, _, a) => Functional.LeakyRelu(x("input"), a.Double("negative_slope")),
        ["gelu"] = (x, o, _, a) => Functional.Gelu(x("input"), a.String("approximate") == "tanh" ? GeluApproximation.Tanh : GeluApproximation.None),
        ["softplus"] = (x, o, _, a) => Functional.Softplus(x("input"), a.Double("beta"), a.Double("threshold")),
        ["linear"] = (x, o, _, a) => Functional.Linear(x("input"), x("weight"), o("bias")),
        ["batch_norm"] = (x, o, _, a) => Functional.BatchNorm(x("input"), o("running_mean"), o("running_var"), o("weight"), o("bias"),
            a.Bool("training"), a.Double("momentum"), a.Double("eps")),
        ["layer_norm"] = (x, o, _, a) => Functional.LayerNorm(x("input"), a.Ints("normalized_shape"), o("weight"), o("bias"), a.Double("eps")),
        ["mse_loss"] = (x, o, _, a) => Functional.MseLoss(x("input"), x("target"), a.Reduction()),
        ["l1_loss"] = (x, o, _, a) => Functional.L1Loss(x("input"), x("target"), a.Reduction()),
        ["smooth_l1_loss"] = (x, o, _, a) => Functional.SmoothL1Loss(x("input"), x("target"), a.Reduction(), a.Double("beta")),
        ["huber_loss"] = (x, o, _, a) => Functional.HuberLoss(x("input"), x("target"), a.Reduction(), a.Double("delta")),
        ["binary_cross_entropy"] = (x, o, _, a) => Functional.BinaryCrossEntropy(x("input"), x("target"), o("weight"), a.Reduction()),
        ["binary_cross_entropy_with_logits"] = (x, o, _, a) =>
            Functional.BinaryCrossEntropyWithLogits(x("input"), x("target"), o("weight"), o("pos_weight"), a.Reduction()),
        ["sigmoid_focal_loss"] = (x, o, _, a) => Functional.SigmoidFocalLoss(x("input"), x("target"), a.Double("alpha"), a.Double("gamma"), a.Reduction()),
        ["cross_entropy"] = (x, o, _, a) => Functional.CrossEntropy(x("input"), x("target"), o("weight"), a.Reduction(),
            a.Has("ignore_index") ? a.Long("ignore_index") : -100, a.Double("label_smoothing")),
        ["nll_loss"] = (x, o, _, a) => Functional.NllLoss(x("input"), x("target"), o("weight"), a.Reduction(),
            a.Has("ignore_index") ? a.Long("ignore_index") : -100),
        ["cat"] = (x, o, t, a) => Tensor.Cat(t, a.Int("dim")),
        ["stack"] = (x, o, t, a) => Tensor.Stack(t, a.Int("dim")),
        ["gather"] = (x, o, _, a) => x("input").Gather(a.Int("dim"), x("index")),
        ["index_select"] = (x, o, _, a) => x("input").IndexSelect(a.Int("dim"), x("index")),
        ["embedding"] = (x, o, _, a) => Functional.Embedding(x("input"), x("weight"), a.Has("padding_idx") ? a.Long("padding_idx") : null),
        ["conv1d"] = (x, o, _, a) => Functional.Conv1d(x("input"), x("weight"), o("bias"), a.Ints("stride")[0], a.Ints("padding")[0], a.Ints("dilation")[0], a.Int("groups")),
        ["conv2d"] = (x, o, _, a) => Functional.Conv2d(x("input"), x("weight"), o("bias"), a.Pair("stride"), a.Pair("padding"), a.Pair("dilation"), a.Int("groups")),
        ["max_pool2d"] = (x, o, _, a) => Functional.MaxPool2d(x("input"), a.Pair("kernel_size"), a.Pair("stride"), a.Pair("padding"), a.Pair("dilation"), a.Bool("ceil_mode")),
        ["avg_pool2d"] = (x, o, _, a) => Functional.AvgPool2d(x("input"), a.Pair("kernel_size"), a.Pair("stride"), a.Pair("padding"), a.Bool("ceil_mode"), a.Bool("count_include_pad")),
        ["adaptive_avg_pool2d"] = (x, o, _, a) => Functional.AdaptiveAvgPool2d(x("input"), a.Pair("output_size")),
    };
}

/// <summary>Typed access to a case's <c>attrs</c> object.</summary>
internal sealed class Attrs(JsonElement attrs)
{
    public bool Has(string key) => attrs.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null;

    private JsonElement Get(string key) => attrs.TryGetProperty(key, out var v)
        ? v
        : throw new InvalidDataException($"attribute '{key}' missing");

    public double Double(string key) => Get(key).GetDouble();

    public double? OptDouble(string key) => Has(key) ? Get(key).GetDouble() : null;

    public int Int(string key) => Get(key).GetInt32();

    public int? OptInt(string key) => Has(key) ? Get(key).GetInt32() : null;

    public bool Bool(string key) => Get(key).GetBoolean();

    public string String(string key) => Get(key).GetString()!;

    public long Long(string key) => Get(key).GetInt64();

    /// <summary>A 2-D attribute given as [h, w] or as one int for both.</summary>
    public int[] Pair(string key)
    {
        int[] v = Ints(key);
        return v.Length == 1 ? [v[0], v[0]] : v;
    }

    public Nabla.Reduction Reduction() => String("reduction") switch
    {
        "mean" => Nabla.Reduction.Mean,
        "sum" => Nabla.Reduction.Sum,
        "none" => Nabla.Reduction.None,
        var r => throw new InvalidDataException($"unknown reduction {r}"),
    };

    public int[] Ints(string key)
    {
        JsonElement v = Get(key);
        return v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(e => e.GetInt32()).ToArray() : [v.GetInt32()];
    }

    /// <summary>A dim attribute that may be null (all dims), an int or a list of ints.</summary>
    public int[]? Dims(string key) => Has(key) ? Ints(key) : null;
}
