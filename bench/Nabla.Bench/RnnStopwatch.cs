using System.Globalization;
using Nabla.NN;
using Nabla.Runtime;

namespace Nabla.Bench;

/// <summary>
/// The recurrent layers timed as <c>bench/pytorch/rnn.py</c> times PyTorch's: an LSTM (and GRU) of input 64, hidden 128
/// over batch 32 and 64 steps, float32, forward alone (no grad) and forward + backward from a ones output gradient. Timing
/// as <see cref="KernelStopwatch"/> (warm-up, seven rounds, median). One JSON object per line: <c>{"case", "impl", "us"}</c>.
/// Run: <c>dotnet run -c Release --project bench/Nabla.Bench -- rnn [case ...]</c>.
/// </summary>
internal static class RnnStopwatch
{
    private const int Batch = 32, Steps = 64, Input = 64, Hidden = 128;

    private static readonly string[] Names = ["lstm_f", "lstm_fb", "gru_f", "gru_fb"];

    public static void Run(string[] args)
    {
        IReadOnlyList<string> names = args.Length > 0 ? args : Names;
        if (names.FirstOrDefault(n => !Names.Contains(n)) is { } unknown)
        {
            Console.Error.WriteLine($"unknown rnn case '{unknown}'; the cases are {string.Join(", ", Names)}");
            Environment.Exit(2);
        }
        foreach (string name in names)
        {
            Action call = Create(name);
            double us;
            using (BufferPool.Begin())
                us = KernelStopwatch.MedianMicroseconds(call);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"case\":\"{name}\",\"impl\":\"nabla\",\"us\":{us:F3}}}"));
        }
    }

    private static Action Create(string name)
    {
        var generator = new Generator(1);
        Tensor x = Tensor.Randn([Steps, Batch, Input], generator: generator, requiresGrad: true);
        ModuleBase module = name.StartsWith("lstm", StringComparison.Ordinal)
            ? new Lstm(Input, Hidden, generator: generator)
            : new Gru(Input, Hidden, generator: generator);
        Func<Tensor> forward = module is Lstm lstm ? () => lstm.Forward(x).Output : () => ((Gru)module).Forward(x).Output;
        if (name.EndsWith("_f", StringComparison.Ordinal))
            return () =>
            {
                using (Autograd.NoGrad()) forward();
            };
        Tensor ones = Tensor.Ones([Steps, Batch, Hidden]);
        return () =>
        {
            module.ZeroGrad();
            x.Grad = null;
            forward().Backward(ones);
        };
    }
}
