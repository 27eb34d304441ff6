using Nabla.Data;
using Nabla.NN;
using Nabla.Optim;
using Xunit.Abstractions;

namespace Nabla.Tests.Samples;

/// <summary>
/// PyTorch's "Quickstart" tutorial written line for line in C#: Fashion-MNIST from its real IDX files, the
/// <c>NeuralNetwork</c> of <c>Flatten</c> and a <c>linear_relu_stack</c>, cross-entropy, SGD at 1e-3, the tutorial's
/// <c>train</c> and <c>test</c> loops, one of its five epochs.
/// </summary>
/// <remarks>
/// The tutorial prints about 45% accuracy and an average loss of about 2.15 after its first epoch (the loss starts at
/// ln 10 = 2.30 for ten classes); the test asserts that one epoch gets there by the same route. It needs Debian's
/// <c>dataset-fashion-mnist</c>, which the test command installs.
/// </remarks>
public class QuickstartTests(ITestOutputHelper output)
{
    private sealed class NeuralNetwork : Module
    {
        private readonly Flatten flatten;
        private readonly Sequential linearReluStack;

        public NeuralNetwork(Generator generator)
        {
            flatten = RegisterModule("flatten", new Flatten());
            linearReluStack = RegisterModule("linear_relu_stack", new Sequential(
                new Linear(28 * 28, 512, generator: generator),
                new Relu(),
                new Linear(512, 512, generator: generator),
                new Relu(),
                new Linear(512, 10, generator: generator)));
        }

        protected override Tensor OnForward(Tensor x)
        {
            x = flatten.Forward(x);
            Tensor logits = linearReluStack.Forward(x);
            return logits;
        }
    }

    private static void Train(DataLoader dataloader, NeuralNetwork model, Loss lossFn, Optimizer optimizer)
    {
        model.Train();
        foreach (var (x, y) in dataloader)
        {
            // Compute prediction error
            Tensor pred = model.Forward(x);
            Tensor loss = lossFn.Forward(pred, y);

            // Backpropagation
            loss.Backward();
            optimizer.Step();
            optimizer.ZeroGrad();
        }
    }

    private static (double Accuracy, double AvgLoss) Test(DataLoader dataloader, NeuralNetwork model, Loss lossFn, int size)
    {
        int numBatches = 0;
        model.Eval();
        double testLoss = 0, correct = 0;
        using (Autograd.NoGrad())
        {
            foreach (var (x, y) in dataloader)
            {
                Tensor pred = model.Forward(x);
                testLoss += lossFn.Forward(pred, y).Item();
                correct += pred.ArgMax(1).Eq(y).To(DType.Float32).Sum().Item();
                numBatches++;
            }
        }
        return (correct / size, testLoss / numBatches);
    }

    [Fact]
    public void Quickstart_OneEpoch_ReachesTheTutorialsFirstEpoch()
    {
        TensorDataset trainingData = FashionMnist.Load(train: true);
        TensorDataset testData = FashionMnist.Load(train: false);

        const int batchSize = 64;
        var trainDataloader = new DataLoader(trainingData, batchSize: batchSize);
        var testDataloader = new DataLoader(testData, batchSize: batchSize);

        var model = new NeuralNetwork(new Generator(0));
        Assert.Equal(
            "NeuralNetwork(\n  (flatten): Flatten(start_dim=1, end_dim=-1)\n  (linear_relu_stack): Sequential(\n" +
            "    (0): Linear(in_features=784, out_features=512, bias=True)\n    (1): ReLU()\n" +
            "    (2): Linear(in_features=512, out_features=512, bias=True)\n    (3): ReLU()\n" +
            "    (4): Linear(in_features=512, out_features=10, bias=True)\n  )\n)", model.ToString());

        var lossFn = new CrossEntropyLoss();
        var optimizer = new Sgd(model.Parameters(), lr: 1e-3);

        var (accuracyBefore, lossBefore) = Test(testDataloader, model, lossFn, testData.Count);
        Train(trainDataloader, model, lossFn, optimizer);
        var (accuracy, avgLoss) = Test(testDataloader, model, lossFn, testData.Count);
        output.WriteLine($"before: Accuracy: {100 * accuracyBefore:F1}%, Avg loss: {lossBefore:F6}");
        output.WriteLine($"Epoch 1: Accuracy: {100 * accuracy:F1}%, Avg loss: {avgLoss:F6}");

        Assert.InRange(lossBefore, 2.25, 2.35);
        Assert.InRange(avgLoss, 1.9, 2.22);
        Assert.InRange(accuracy, 0.3, 0.75);
    }
}
