namespace Nabla.Cli.Training;

/// <summary>
/// The <c>--precision</c> option of <c>train</c> (text and image) and <c>bench gpt</c>: one list of values, one parser
/// and one meaning (docs/scale.md §2).
/// </summary>
public static class PrecisionOption
{
    /// <summary>The values: float32, bfloat16 autocast, float16 autocast with a GradScaler.</summary>
    public static IReadOnlyList<string> Values { get; } = ["fp32", "bf16", "fp16"];

    /// <summary>What the option means, as the commands' help prints it after <c>--precision P</c>.</summary>
    public static string Help { get; } = "fp32 (default), bf16 (bfloat16 autocast) or fp16 (float16 autocast with loss scaling)";

    /// <summary>The precision given, <c>fp32</c> when absent; another value is a <see cref="UsageException"/>.</summary>
    public static string Read(OptionReader options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string precision = options.String("--precision", "fp32");
        return Values.Contains(precision) ? precision
            : throw new UsageException($"unknown precision '{precision}'", $"use one of {string.Join(", ", Values)}");
    }

    /// <summary>The autocast dtype of <paramref name="precision"/>, or null for <c>fp32</c>.</summary>
    public static DType? AutocastDType(string precision) => precision switch { "bf16" => DType.BFloat16, "fp16" => DType.Float16, _ => null };

    /// <summary>An autocast scope for <paramref name="precision"/>, or null (no scope) for <c>fp32</c>.</summary>
    public static IDisposable? Enter(string precision) => AutocastDType(precision) is { } half ? Autocast.Enable(half) : null;
}
