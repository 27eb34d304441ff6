using System.Globalization;
using Nabla.Cli.Training;
using Nabla.Diagnostics;
using Nabla.NN;

namespace Nabla.Cli.Commands;

/// <summary>
/// <c>nabla gradcheck</c>: builds a model from the same options as <c>nabla train</c>, in float64, and checks the
/// gradient of its cross-entropy loss on a small batch against central finite differences, parameter by parameter.
/// </summary>
public static class GradCheckCommand
{
    /// <summary>The command name.</summary>
    public const string Name = "gradcheck";

    /// <summary>One line for the top-level help.</summary>
    public const string Summary = "check a model's gradients against finite differences, parameter by parameter";

    private static readonly string[] Flags = ["--help", "--download"];

    /// <summary>The usage text.</summary>
    public static string Usage() => $"""
        usage: nabla gradcheck [model options] [--batch-size N] [--max-elements N] [--eps X] [--tolerance X]

        Builds the model that 'nabla train' would build from the same options, with float64 parameters, in
        evaluation mode (dropout off), and compares the gradient of its cross-entropy loss on the first
        training samples with central finite differences (L(w + eps) - L(w - eps)) / 2eps.

        model options (as for nabla train):
          --dataset NAME        {string.Join("|", DatasetCatalog.Names)}|csv:PATH (default digits)
          --model PRESET        {string.Join("|", ModelPresets.Descriptions.Keys)} (default mlp)
          --layers A,B,...,Z    an MLP with these layer sizes instead of a preset
          --activation NAME     activation for --layers (default relu)
          --init NAME           he|xavier|uniform for --layers (default he)
          --seed N              initialisation seed (default 1)
          --download            fetch a missing MNIST/Fashion-MNIST

        options:
          --batch-size N        samples in the batch (default 4)
          --max-elements N      elements checked per parameter, chosen at random (default 20; 0 = all)
          --eps X               the finite-difference step (default 1e-6)
          --tolerance X         the largest acceptable error |a - n| / max(1, |a|, |n|) (default 1e-5)

        output: one line per parameter (ok or FAIL, its worst error, the element where it occurs and both
        gradients there), then a verdict.

        exit codes: 0 every gradient within the tolerance; 1 some gradient is wrong (or the dataset is
        missing); 2 usage error.

        example:
          nabla gradcheck --layers 64,32,10 --activation tanh

        """;

    /// <summary>Runs the command.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        try
        {
            var o = new OptionReader(args, [.. TrainCommand.ModelOptions, "--batch-size", "--max-elements", "--eps", "--tolerance"], Flags, Name);
            if (o.Has("--help"))
            {
                stdout.Write(Usage());
                return ExitCodes.Success;
            }
            if (o.Positional.Count > 0)
                throw new UsageException($"unexpected argument '{o.Positional[0]}'", "options start with --; run 'nabla gradcheck --help'");
            int batchSize = o.Int("--batch-size", 4, 1, 1 << 16);
            int maxElements = o.Int("--max-elements", 20, 0, int.MaxValue);
            double eps = o.Double("--eps", 1e-6, 1e-12, 1);
            double tolerance = o.Double("--tolerance", 1e-5, 0, 1e6);
            ModelInput input = ModelInput.Load(o, batchSize, DType.Float64, fuse: true);
            input.Model.Eval();
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"gradcheck: {input.Description}, {input.Model.ParameterCount():N0} parameters in float64, batch of {input.X.Size(0)}, evaluation mode, " +
                $"{(maxElements == 0 ? "every element" : $"up to {maxElements} elements per parameter")}, eps {eps:0.##e+00}, tolerance {tolerance:0.##e+00}"));
            GradCheckReport report = GradCheck.Check(input.Model, input.Loss, eps, tolerance, maxElements, input.Settings.Seed);
            stdout.WriteLine(report.ToString());
            return report.Passed ? ExitCodes.Success : ExitCodes.Failure;
        }
        catch (Exception e) when (Reporter.IsUserFacing(e))
        {
            return Reporter.Fail(stderr, e);
        }
    }
}
