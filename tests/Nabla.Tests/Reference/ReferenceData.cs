using System.Text.Json;

namespace Nabla.Tests.Reference;

/// <summary>
/// Loads the PyTorch reference vectors: from the directory named by NABLA_REFERENCE_DIR when set,
/// else from the copies shipped as test fixtures.
/// </summary>
internal static class ReferenceData
{
    public const string DirectoryVariable = "NABLA_REFERENCE_DIR";

    public static string Directory =>
        Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } dir
            ? dir
            : Path.Combine(AppContext.BaseDirectory, "Fixtures", "reference");

    private static readonly Dictionary<string, Dictionary<string, JsonElement>> Cache = [];

    public static IReadOnlyDictionary<string, JsonElement> Cases(string file)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(file, out var cached)) return cached;
            var cases = new Dictionary<string, JsonElement>();
            string path = Path.Combine(Directory, file);
            foreach (string line in File.ReadLines(path))
            {
                if (string.IsNullOrWhiteSpace(line)) continue;
                JsonElement root = JsonDocument.Parse(line).RootElement.Clone();
                cases[root.GetProperty("id").GetString()!] = root;
            }
            Cache[file] = cases;
            return cases;
        }
    }

    public static TheoryData<string> Ids(string file)
    {
        var data = new TheoryData<string>();
        foreach (string id in Cases(file).Keys) data.Add(id);
        return data;
    }

    /// <summary>A tensor from the schema's tensor object (float64 unless dtype says otherwise).</summary>
    public static Tensor ToTensor(JsonElement t, bool honourRequiresGrad = true)
    {
        int[] shape = t.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        string dtype = t.TryGetProperty("dtype", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : "float64";
        JsonElement data = t.GetProperty("data");
        Tensor result = dtype switch
        {
            "int64" => Tensor.From(data.EnumerateArray().Select(e => e.GetInt64()).ToArray(), shape),
            "bool" => Tensor.From(data.EnumerateArray().Select(e => e.GetInt64() != 0).ToArray(), shape),
            "float64" => Tensor.From(data.EnumerateArray().Select(e => e.GetDouble()).ToArray(), shape, dtype: DType.Float64),
            _ => throw new InvalidDataException($"unknown dtype {dtype}"),
        };
        if (honourRequiresGrad && t.TryGetProperty("requires_grad", out var rg) && rg.ValueKind == JsonValueKind.True)
            result.RequiresGrad = true;
        return result;
    }

    /// <summary>Asserts <paramref name="actual"/> has the expected tensor's shape and values: int64 and bool exactly, floats within tolerance.</summary>
    public static void AssertClose(JsonElement expected, Tensor? actual, string what, double rtol = 1e-8, double atol = 1e-10)
    {
        Assert.True(actual is not null, $"{what}: expected a tensor, got null");
        int[] shape = expected.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.True(shape.SequenceEqual(actual!.Shape.ToArray()), $"{what}: expected shape [{string.Join(", ", shape)}], got {actual.Shape}");
        double[] want = expected.GetProperty("data").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        double[] got = actual.ToDoubleArray();
        if (expected.TryGetProperty("dtype", out JsonElement d) && d.GetString() is "int64" or "bool")
        {
            // Indices and masks are exact (reference README, tolerances).
            Assert.True(actual.DType.Name() == d.GetString(), $"{what}: expected dtype {d.GetString()}, got {actual.DType.Name()}");
            Assert.True(want.SequenceEqual(got), $"{what}: expected [{string.Join(", ", want)}], got [{string.Join(", ", got)}]");
            return;
        }
        for (int i = 0; i < want.Length; i++)
        {
            bool ok = double.IsFinite(got[i]) && Math.Abs(got[i] - want[i]) <= atol + rtol * Math.Abs(want[i]);
            Assert.True(ok, $"{what}[{i}]: expected {want[i]:R}, got {got[i]:R} (rtol {rtol}, atol {atol})");
        }
    }

    public static void AssertClose(double expected, double actual, string what, double rtol = 1e-8, double atol = 1e-10)
        => Assert.True(double.IsFinite(actual) && Math.Abs(actual - expected) <= atol + rtol * Math.Abs(expected),
            $"{what}: expected {expected:R}, got {actual:R}");
}
