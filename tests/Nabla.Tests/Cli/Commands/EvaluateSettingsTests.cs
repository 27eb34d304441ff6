using System.Globalization;
using System.Text;
using System.Text.Json;
using Nabla.Cli.Commands;
using Nabla.Cli.Training;
using Nabla.Data;
using Nabla.IO;
using Nabla.NN;
using Nabla.Tests.Data;
using static Nabla.Tests.Cli.CliRunner;

namespace Nabla.Tests.Cli.Commands;

/// <summary>
/// <c>nabla evaluate</c> scores a model on the test split its run used (Note [Recorded run settings]) and applies its
/// <c>--batch-size</c> as given.
/// </summary>
public sealed class EvaluateSettingsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A CSV of two noisy features and a binary label, so that no model scores every split alike.</summary>
    private string NoisyCsv(string name)
    {
        var random = new Random(3);
        var text = new StringBuilder("x1,x2,label\n");
        for (int i = 0; i < 200; i++)
        {
            double a = random.NextDouble() * 2 - 1, b = random.NextDouble() * 2 - 1;
            int label = a + b + (random.NextDouble() - 0.5) > 0 ? 1 : 0;
            text.Append(CultureInfo.InvariantCulture, $"{a:F4},{b:F4},{label}\n");
        }
        string path = _dir.File(name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private string Train(params string[] options)
    {
        string outDir = _dir.File("run-" + Guid.NewGuid().ToString("N"));
        var (code, _, err) = Run(["train", "--epochs", "3", "--out", outDir, .. options]);
        Assert.True(code == 0, err);
        return outDir;
    }

    private static JsonElement Summary(string run) => JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json"))).RootElement;

    private static JsonElement Json(string output) => JsonDocument.Parse(output).RootElement;

    [Fact]
    public void Evaluate_ModelTrainedOnCsvWithAnotherSeed_ScoresTheTestSplitOfItsRun()
    {
        string csv = NoisyCsv("noisy.csv");
        string run = Train("--dataset", "csv:" + csv, "--seed", "7");
        string model = Path.Combine(run, "model.safetensors");
        double testLoss = Summary(run).GetProperty("test_loss").GetDouble();

        // The file records dataset, model and seed: no options needed.
        var (code, output, err) = Run("evaluate", model, "--json");
        Assert.True(code == 0, err);
        Assert.Equal(testLoss, Json(output).GetProperty("loss").GetDouble(), 9);
        Assert.Equal(40, Json(output).GetProperty("samples").GetInt32());

        // Naming the dataset (as the old docs said to) still splits it with the run's seed, not seed 1.
        (code, output, err) = Run("evaluate", model, "--dataset", "csv:" + csv, "--json");
        Assert.True(code == 0, err);
        Assert.Equal(testLoss, Json(output).GetProperty("loss").GetDouble(), 9);
        Assert.Equal("", err);

        (code, output, _) = Run("evaluate", model);
        Assert.Equal(0, code);
        Assert.Contains("split with --seed 7", output);
    }

    [Theory]
    [InlineData("--seed", "1", "--seed 7")]
    [InlineData("--layers", "2,16,2", "--layers 2,32,32,2")]
    [InlineData("--model", "mlp", "--layers 2,32,32,2")]
    public void Evaluate_OptionDisagreeingWithTheModelFile_RefusedNamingBothValues(string option, string value, string recorded)
    {
        string run = Train("--dataset", "moons", "--seed", "7");
        string model = Path.Combine(run, "model.safetensors");
        var (code, _, err) = Run("evaluate", model, option, value);
        Assert.Equal(ExitCodes.Usage, code);
        AssertMessage(err);
        Assert.Contains($"{option} {value} conflicts with the model file {model}, which was trained with {recorded}", err);
        Assert.Contains($"hint: omit {option}", err);
    }

    [Fact]
    public void Evaluate_ActivationDisagreeingWithTheModelFile_Refused()
    {
        string model = Path.Combine(Train("--dataset", "moons", "--layers", "2,8,2", "--activation", "tanh"), "model.safetensors");
        var (code, _, err) = Run("evaluate", model, "--layers", "2,8,2", "--activation", "relu");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--activation relu conflicts with the model file", err);
        Assert.Contains("--activation tanh", err);
        (code, _, err) = Run("evaluate", model, "--layers", "2,8,2", "--activation", "tanh", "--seed", "1");
        Assert.True(code == 0, err);
    }

    [Fact]
    public void Evaluate_FileWithoutRecordedSettings_WarnsThatTheSplitAssumesSeed1_AndAppliesSeed()
    {
        string run = Train("--dataset", "moons", "--seed", "7");
        string plain = _dir.File("plain.safetensors"); // as PyTorch's save_file writes it: weights, no settings
        SafeTensors.Save(plain, SafeTensors.Load(Path.Combine(run, "model.safetensors")));

        var (code, _, err) = Run("evaluate", plain, "--dataset", "moons");
        Assert.True(code == 0, err);
        Assert.StartsWith("warning: ", err);
        Assert.Contains("records no training settings", err);
        Assert.Contains("assumed to be the one of --seed 1", err);
        Assert.Contains("hint: pass --seed N", err);

        string output;
        (code, output, err) = Run("evaluate", plain, "--dataset", "moons", "--seed", "7", "--json");
        Assert.True(code == 0, err);
        Assert.Equal("", err);
        Assert.Equal(Summary(run).GetProperty("test_loss").GetDouble(), Json(output).GetProperty("loss").GetDouble(), 9);

        (code, _, err) = Run("evaluate", plain, "--dataset", "digits", "--layers", "64,8,10");
        Assert.Equal(ExitCodes.Failure, code); // weights of another model; the fixed digits split needs no seed, so no warning
        Assert.DoesNotContain("warning", err);
    }

    [Fact]
    public void Evaluate_RecordedCsvNotFoundFromHere_AsksForItsPath_ThenUsesTheRecordedSeed()
    {
        string csv = NoisyCsv("moved.csv");
        string run = Train("--dataset", "csv:" + csv, "--seed", "5");
        string moved = _dir.File("elsewhere.csv");
        File.Move(csv, moved);
        string model = Path.Combine(run, "model.safetensors");

        var (code, _, err) = Run("evaluate", model);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"was trained on csv:{csv}, but there is no file at '{csv}'", err);
        Assert.Contains("hint: pass --dataset csv:PATH", err);

        string output;
        (code, output, err) = Run("evaluate", model, "--dataset", "csv:" + moved, "--json");
        Assert.True(code == 0, err);
        Assert.Equal(Summary(run).GetProperty("test_loss").GetDouble(), Json(output).GetProperty("loss").GetDouble(), 9);
    }

    [Theory]
    [InlineData("seed", "many", "the run settings stored in the model file are not valid (--seed: 'many' is not a whole number")]
    [InlineData("layers", null, "the run settings stored in the model file have no 'layers'")]
    public void Evaluate_DamagedRecordedSettings_NamesTheFile(string key, string? value, string message)
    {
        string run = Train("--dataset", "moons");
        string model = Path.Combine(run, "model.safetensors");
        var metadata = new Dictionary<string, string>(SafeTensors.LoadMetadata(model));
        if (value is null) metadata.Remove(key);
        else metadata[key] = value;
        SafeTensors.Save(model, SafeTensors.Load(model), metadata);
        var (code, _, err) = Run("evaluate", model);
        Assert.Equal(ExitCodes.Failure, code);
        AssertMessage(err);
        Assert.Contains($"{model}: {message}", err);
    }

    /// <summary>Records the size of each batch it is given and predicts class 0.</summary>
    private sealed class BatchRecorder : Module
    {
        public List<int> Batches { get; } = [];

        protected override Tensor OnForward(Tensor input)
        {
            Batches.Add(input.Size(0));
            return Tensor.From(new float[input.Size(0) * 2], [input.Size(0), 2]);
        }
    }

    [Theory]
    [InlineData(1, new[] { 1, 1, 1, 1, 1 })]
    [InlineData(2, new[] { 2, 2, 1 })]
    [InlineData(300, new[] { 5 })]
    public void Evaluate_BatchSizeBelow256_RunsBatchesOfExactlyThatSize(int batchSize, int[] expected)
    {
        var data = new TensorDataset(Tensor.From(new float[5 * 3], [5, 3]), Tensor.From(new long[5], [5]));
        var recorder = new BatchRecorder();
        var (loss, accuracy) = Trainer.Evaluate(recorder, data, batchSize);
        Assert.Equal(expected, recorder.Batches);
        Assert.Equal(Math.Log(2), loss, 6);
        Assert.Equal(1.0, accuracy);
    }
}
