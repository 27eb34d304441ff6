using System.Text.Json;
using Nabla.Data;
using Nabla.IO;
using Nabla.NN;
using Nabla.Tests.IO;

namespace Nabla.Tests.Reference;

/// <summary>
/// Runs the PyTorch-trained Fashion-MNIST MLP (Fixtures/models) on the real test set. Needs the Debian package
/// dataset-fashion-mnist (or the files under $NABLA_DATA / ~/.nabla/datasets); without it the test fails with the
/// loader's "not found" message, which lists where it looked and how to get the data.
/// </summary>
public class FashionMnistMlpTests
{
    /// <summary>Nabla's equivalent of the PyTorch model, loaded by state_dict name.</summary>
    private static Sequential Model(OrderedDictionary<string, Tensor> weights)
    {
        var model = new Sequential(new Linear(784, 512), new Relu(), new Linear(512, 256), new Relu(), new Linear(256, 10));
        model.LoadStateDict(weights);
        model.Eval();
        return model;
    }

    [Fact]
    public void PyTorchMlp_OnFashionMnistTestSet_ReproducesAccuracyAndLogits()
    {
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", "fmnist_mlp.expected.json")));
        var weights = SafeTensors.Load(SafeTensorsTests.ModelPath);
        TensorDataset test = FashionMnist.Load(train: false, flatten: true);
        Assert.Equal(new Shape(10000, 784), test.Features.Shape);

        Tensor logits;
        using (Autograd.NoGrad()) logits = Model(weights).Forward(test.Features);

        long[] predicted = logits.ArgMax(1).ToArray<long>();
        long[] labels = test.Labels.ToArray<long>();
        int correct = 0;
        for (int i = 0; i < labels.Length; i++) if (predicted[i] == labels[i]) correct++;
        double accuracy = correct / 10000.0;
        Assert.Equal(expected.RootElement.GetProperty("test_accuracy").GetDouble(), accuracy, 1e-6);

        float[] first = logits.Slice(0, 0, 16).ToArray<float>();
        int k = 0;
        foreach (var row in expected.RootElement.GetProperty("first_16_logits").EnumerateArray())
            foreach (var value in row.EnumerateArray())
                Assert.Equal(value.GetDouble(), first[k++], 1e-4);
        Assert.Equal(160, k);

        long[] firstLabels = expected.RootElement.GetProperty("first_16_labels").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        Assert.Equal(firstLabels, labels[..16]);
        long[] first100 = expected.RootElement.GetProperty("predictions_first_100").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        Assert.Equal(first100, predicted[..100]);
    }

    [Fact]
    public void FashionMnist_TrainSplit_Has60000ImagesWith6000PerClass()
    {
        TensorDataset train = FashionMnist.Load(train: true);
        Assert.Equal(new Shape(60000, 1, 28, 28), train.Features.Shape);
        long[] labels = train.Labels.ToArray<long>();
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(6000, labels.Count(v => v == c)));
    }

    [Fact]
    public void EvaluateCommand_PyTorchMlp_ReportsPyTorchAccuracy()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Nabla.Cli.Program.Run(["evaluate", SafeTensorsTests.ModelPath, "--model", "mlp", "--dataset", "fashion-mnist", "--json"], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        using var result = JsonDocument.Parse(stdout.ToString());
        Assert.Equal(0.8792, result.RootElement.GetProperty("accuracy").GetDouble(), 1e-6);
        Assert.Equal(10000, result.RootElement.GetProperty("samples").GetInt32());
    }
}
