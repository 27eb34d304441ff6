using Nabla.NN;
using Xunit.Abstractions;

namespace Nabla.Tests.Samples;

/// <summary>
/// PyTorch's "Classifying Names with a Character-Level RNN" tutorial written line for line in C#: the two-input,
/// two-output <c>RNN</c> module (<c>i2h</c>, <c>h2o</c> over <c>cat(input, hidden)</c>, log-softmax), names as
/// sequences of one-hot letters, NLL loss, and the tutorial's hand-written SGD step
/// (<c>p.data.add_(p.grad.data, alpha=-learning_rate)</c>).
/// </summary>
/// <remarks>
/// The tutorial's 18 languages of names are a download; here three languages of twenty common surnames each stand in.
/// The tutorial trains 100,000 random examples; 3,000 here take the training loss from ln 3 = 1.10 to well under half
/// of it, and the network then names the language of most training names.
/// </remarks>
public class CharRnnTests(ITestOutputHelper output)
{
    private const string AllLetters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,;'";
    private static readonly int NLetters = AllLetters.Length;

    private static readonly Dictionary<string, string[]> CategoryLines = new()
    {
        ["Italian"] = ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
            "Bruno", "Gallo", "Conti", "Costa", "Mancini", "Giordano", "Rizzo", "Lombardi", "Moretti", "Barbieri"],
        ["Japanese"] = ["Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato",
            "Yoshida", "Yamada", "Sasaki", "Yamaguchi", "Matsumoto", "Inoue", "Kimura", "Hayashi", "Shimizu", "Yamazaki"],
        ["Polish"] = ["Nowak", "Kowalski", "Wisniewski", "Wojcik", "Kowalczyk", "Kaminski", "Lewandowski", "Zielinski",
            "Szymanski", "Wozniak", "Dabrowski", "Kozlowski", "Jankowski", "Mazur", "Kwiatkowski", "Krawczyk", "Piotrowski",
            "Grabowski", "Nowakowski", "Pawlowski"],
    };

    private static readonly string[] AllCategories = [.. CategoryLines.Keys];

    // Turn a line into a <line_length x 1 x n_letters> tensor of one-hot letter vectors.
    private static Tensor LineToTensor(string line) =>
        Functional.OneHot(Tensor.From([.. line.Select(c => (long)AllLetters.IndexOf(c))], [line.Length, 1]), NLetters)
            .To(DType.Float32);

    private sealed class Rnn : Module<Tensor, Tensor, (Tensor Output, Tensor Hidden)>
    {
        private readonly Linear i2h, h2o;
        private readonly LogSoftmax softmax;

        public Rnn(int inputSize, int hiddenSize, int outputSize, Generator generator)
        {
            HiddenSize = hiddenSize;
            i2h = RegisterModule("i2h", new Linear(inputSize + hiddenSize, hiddenSize, generator: generator));
            h2o = RegisterModule("h2o", new Linear(inputSize + hiddenSize, outputSize, generator: generator));
            softmax = RegisterModule("softmax", new LogSoftmax(dim: 1));
        }

        public int HiddenSize { get; }

        protected override (Tensor Output, Tensor Hidden) OnForward(Tensor input, Tensor hidden)
        {
            Tensor combined = Tensor.Cat([input, hidden], 1);
            hidden = i2h.Forward(combined);
            Tensor output = h2o.Forward(combined);
            output = softmax.Forward(output);
            return (output, hidden);
        }

        public Tensor InitHidden() => Tensor.Zeros([1, HiddenSize]);
    }

    [Fact]
    public void CharRnn_TrainedWithTheTutorialsLoop_LearnsTheLanguageOfNames()
    {
        const int nHidden = 128;
        var rnn = new Rnn(NLetters, nHidden, AllCategories.Length, new Generator(0));
        Assert.Equal(
            "Rnn(\n  (i2h): Linear(in_features=185, out_features=128, bias=True)\n" +
            "  (h2o): Linear(in_features=185, out_features=3, bias=True)\n  (softmax): LogSoftmax(dim=1)\n)", rnn.ToString());

        var criterion = new NllLoss();
        const double learningRate = 0.005;

        (Tensor Output, double Loss) Train(Tensor categoryTensor, Tensor lineTensor)
        {
            Tensor hidden = rnn.InitHidden();
            rnn.ZeroGrad();
            Tensor output = null!;
            for (int i = 0; i < lineTensor.Shape[0]; i++)
                (output, hidden) = rnn.Forward(lineTensor[i], hidden);

            Tensor loss = criterion.Forward(output, categoryTensor);
            loss.Backward();

            // Add parameters' gradients to their values, multiplied by learning rate
            using (Autograd.NoGrad())
                foreach (Tensor p in rnn.Parameters())
                    p.Add_(p.Grad!, alpha: -learningRate);

            return (output, loss.Item());
        }

        var random = new Random(1);
        var losses = new List<double>();
        for (int iter = 1; iter <= 3000; iter++)
        {
            string category = AllCategories[random.Next(AllCategories.Length)];
            string[] lines = CategoryLines[category];
            string line = lines[random.Next(lines.Length)];
            Tensor categoryTensor = Tensor.From([(long)Array.IndexOf(AllCategories, category)], [1]);
            var (_, loss) = Train(categoryTensor, LineToTensor(line));
            losses.Add(loss);
        }

        double first = losses.Take(300).Average(), last = losses.TakeLast(300).Average();
        int correct = 0, total = 0;
        using (Autograd.NoGrad())
        {
            foreach (var (category, lines) in CategoryLines)
            {
                foreach (string line in lines)
                {
                    Tensor hidden = rnn.InitHidden(), lineTensor = LineToTensor(line), output = null!;
                    for (int i = 0; i < lineTensor.Shape[0]; i++)
                        (output, hidden) = rnn.Forward(lineTensor[i], hidden);
                    if (AllCategories[(int)output.ArgMax(1).Item()] == category) correct++;
                    total++;
                }
            }
        }
        output.WriteLine($"mean loss of the first 300 examples {first:F3}, of the last 300 {last:F3}; {correct}/{total} names right");

        Assert.InRange(first, 0.8, 1.2);
        Assert.True(last < first / 2, $"the loss fell from {first:F3} to {last:F3} only");
        Assert.True(correct >= 0.8 * total, $"{correct}/{total} names classified right");
    }
}
