using Nabla.IO;
using Nabla.Optim;
using Nabla.Tests.Data;

namespace Nabla.Tests.IO;

public class TrainingStateTests
{
    internal const string ValidMetadata =
        "{\"epoch\":3,\"optimizer\":{\"lr\":0.01,\"step\":12},\"scheduler\":{\"last_epoch\":2}," +
        "\"generators\":{\"model\":[\"1\",\"2\",\"3\",\"18446744073709551615\",\"0\",\"0\"]},\"settings\":{\"lr\":\"0.01\",\"note\":null}}";

    internal static string WriteWithMetadata(TempDirectory dir, string json, string name = "ck.safetensors")
    {
        string path = dir.File(name);
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["model.w"] = Tensor.From([1f, 2f]), ["optimizer.m.0"] = Tensor.From([3f]) },
            new Dictionary<string, string> { ["nabla.checkpoint"] = json });
        return path;
    }

    [Fact]
    public void SaveLoad_FullCheckpoint_RoundTripsEveryField()
    {
        using var dir = new TempDirectory();
        string path = dir.File("ck.safetensors");
        var optimizer = new OptimizerState();
        optimizer.Tensors["m.0"] = Tensor.From([0.5f]);
        optimizer.Scalars["lr"] = 0.125;
        var generator = new Generator(42);
        generator.NextDouble();
        new TrainingState
        {
            Model = new Dictionary<string, Tensor> { ["w"] = Tensor.From([1f, 2f]) },
            Optimizer = optimizer,
            Scheduler = new Dictionary<string, double> { ["last_epoch"] = 4 },
            Epoch = 5,
            Generators = new Dictionary<string, ulong[]> { ["data"] = generator.GetState() },
            Settings = new Dictionary<string, string> { ["model"] = "mlp" },
        }.Save(path);

        TrainingState back = TrainingState.Load(path);
        Assert.Equal(5, back.Epoch);
        Assert.Equal([1f, 2f], back.Model["w"].ToArray<float>());
        Assert.Equal([0.5f], back.Optimizer!.Tensors["m.0"].ToArray<float>());
        Assert.Equal(0.125, back.Optimizer.Scalars["lr"]);
        Assert.Equal(4, back.Scheduler!["last_epoch"]);
        Assert.Equal(generator.GetState(), back.Generators["data"]);
        Assert.Equal("mlp", back.Settings["model"]);
    }

    [Fact]
    public void Load_ValidHandWrittenMetadata_ReadsNullSettingAsEmpty()
    {
        using var dir = new TempDirectory();
        TrainingState ck = TrainingState.Load(WriteWithMetadata(dir, ValidMetadata));
        Assert.Equal(3, ck.Epoch);
        Assert.Equal(ulong.MaxValue, ck.Generators["model"][3]);
        Assert.Equal("", ck.Settings["note"]);
        Assert.Equal(12, ck.Optimizer!.Scalars["step"]);
    }

    public static TheoryData<string, string> BadMetadata => new()
    {
        { "not json", "is not valid JSON" },
        { "[1,2]", "is an array of 2, expected a JSON object" },
        { ValidMetadata.Replace("\"epoch\":3,", ""), "has no 'epoch' field" },
        { ValidMetadata.Replace("\"epoch\":3", "\"epoch\":\"3\""), "'epoch' is \"3\", expected a non-negative integer" },
        { ValidMetadata.Replace("\"epoch\":3", "\"epoch\":-1"), "'epoch' is -1, expected a non-negative integer" },
        { ValidMetadata.Replace("\"epoch\":3", "\"epoch\":1e10"), "'epoch' is 1e10" },
        { ValidMetadata.Replace("\"lr\":0.01,", "\"lr\":\"fast\","), "'optimizer.lr' is \"fast\", expected a finite number" },
        { ValidMetadata.Replace("\"lr\":0.01,", "\"lr\":1e999,"), "'optimizer.lr' is 1e999, expected a finite number" },
        { ValidMetadata.Replace("{\"last_epoch\":2}", "[2]"), "'scheduler' is an array of 1, expected null or an object of numbers" },
        { ValidMetadata.Replace("[\"1\",\"2\",\"3\",", "[\"x\",\"2\",\"3\","), "'generators.model' word 0 is \"x\", expected a decimal string" },
        { ValidMetadata.Replace("[\"1\",\"2\",\"3\",", "[1,\"2\",\"3\","), "'generators.model' word 0 is 1, expected a decimal string" },
        { ValidMetadata.Replace("\"0\",\"0\"]", "\"0\"]"), "'generators.model' is an array of 5, expected an array of 6 decimal strings" },
        { ValidMetadata.Replace("\"generators\":{\"model\":", "\"generators\":{\"model\":{},\"x\":"), "'generators.model' is an object" },
        { ValidMetadata.Replace("\"generators\":{", "\"generators\":[").Replace("\"0\",\"0\"]},", "\"0\",\"0\"]],"), "is not valid JSON" },
        { ValidMetadata.Replace("\"lr\":\"0.01\"", "\"lr\":0.01"), "'settings.lr' is 0.01, expected a string" },
        { ValidMetadata.Replace("\"epoch\":3,", "\"epoch\":3,\"epoch\":4,"), "Duplicate property 'epoch'" },
        { ValidMetadata.Replace("\"note\":null", "\"n\\uD800\":\"x\""), "not valid Unicode" },
    };

    [Theory]
    [MemberData(nameof(BadMetadata))]
    public void Load_MalformedMetadata_ThrowsInvalidDataNamingFileAndField(string json, string expected)
    {
        using var dir = new TempDirectory();
        string path = WriteWithMetadata(dir, json);
        var ex = Assert.Throws<InvalidDataException>(() => TrainingState.Load(path));
        Assert.StartsWith($"{path}: checkpoint metadata 'nabla.checkpoint' ", ex.Message);
        Assert.True(ex.Message.Contains(expected, StringComparison.Ordinal), ex.Message);
    }

    [Fact]
    public void Load_ModelFileWithoutCheckpointMetadata_SaysWhatToPass()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["w"] = Tensor.From([1f]) });
        Assert.Contains("not a Nabla checkpoint", Assert.Throws<InvalidDataException>(() => TrainingState.Load(path)).Message);
    }
}
