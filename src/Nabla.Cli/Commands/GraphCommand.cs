using Nabla.Cli.Training;
using Nabla.Diagnostics;
using Nabla.IO;

namespace Nabla.Cli.Commands;

/// <summary>
/// <c>nabla graph</c>: draws the autograd graph of a model's loss on a small batch, with each layer's ops grouped
/// under its module name, as SVG (laid out by Nabla), Graphviz DOT or text.
/// </summary>
public static class GraphCommand
{
    /// <summary>The command name.</summary>
    public const string Name = "graph";

    /// <summary>One line for the top-level help.</summary>
    public const string Summary = "draw the autograd graph of a model's loss (SVG, Graphviz DOT or text)";

    private static readonly string[] Flags = ["--help", "--download"];

    /// <summary>The usage text.</summary>
    public static string Usage() => $"""
        usage: nabla graph [model options] [--batch-size N] [--out FILE] [--format svg|dot|text]

        Builds the model that 'nabla train' would build from the same options, computes the cross-entropy
        loss of the first training samples, runs backward, and draws the graph of the loss: every op with
        its shape, parameters by name, and each layer's ops inside a box (a cluster in DOT) named after its
        module (0: Linear, 1: Relu, ...). Values and gradients are shown for tensors of at most 8 elements.

        model options (as for nabla train):
          --dataset NAME        {string.Join("|", DatasetCatalog.Names)}|csv:PATH (default digits)
          --model PRESET        {string.Join("|", ModelPresets.Descriptions.Keys)} (default mlp)
          --layers A,B,...,Z    an MLP with these layer sizes instead of a preset
          --activation NAME     activation for --layers (default relu)
          --init NAME           he|xavier|uniform for --layers (default he)
          --seed N              initialisation seed (default 1)
          --download            fetch a missing MNIST/Fashion-MNIST

        options:
          --batch-size N        samples in the batch (default 2)
          --out FILE            where to write the graph (default: print it)
          --format F            svg, dot or text (default: from the extension of --out: .svg, .dot/.gv,
                                anything else text; text when printing)

        examples:
          nabla graph --out mlp.svg
          nabla graph --model cnn --dataset fashion-mnist --out cnn.dot && dot -Tpng cnn.dot -o cnn.png

        """;

    /// <summary>Runs the command.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        try
        {
            var o = new OptionReader(args, [.. TrainCommand.ModelOptions, "--batch-size", "--out", "--format"], Flags, Name);
            if (o.Has("--help"))
            {
                stdout.Write(Usage());
                return ExitCodes.Success;
            }
            if (o.Positional.Count > 0)
                throw new UsageException($"unexpected argument '{o.Positional[0]}'", "options start with --; run 'nabla graph --help'");
            string? outPath = o.OptionalPath("--out");
            string format = o.OptionalString("--format") ?? FormatOf(outPath);
            if (format is not ("svg" or "dot" or "text"))
                throw new UsageException($"unknown --format '{format}'", "use --format svg, --format dot or --format text");
            int batchSize = o.Int("--batch-size", 2, 1, 1 << 16);
            ModelInput input = ModelInput.Load(o, batchSize, DType.Float32, fuse: false);
            ComputationGraph graph = ComputationGraph.FromModel(input.Model, input.Loss);
            graph.Output.Backward();
            string text = format switch { "svg" => graph.ToSvg(), "dot" => graph.ToDot(), _ => graph.ToText() };
            if (outPath is null)
            {
                stdout.Write(text);
                return ExitCodes.Success;
            }
            string? dir = Path.GetDirectoryName(Path.GetFullPath(outPath));
            if (dir is not null) Directory.CreateDirectory(dir);
            AtomicFile.Write(outPath, stream =>
            {
                using var w = new StreamWriter(stream, leaveOpen: true);
                w.Write(text);
            });
            stdout.WriteLine($"wrote {outPath}: the {format} graph of the loss of {input.Description} ({graph.Nodes.Count} nodes, {graph.Groups.Count} modules)");
            return ExitCodes.Success;
        }
        catch (Exception e) when (Reporter.IsUserFacing(e))
        {
            return Reporter.Fail(stderr, e);
        }
    }

    private static string FormatOf(string? path) => Path.GetExtension(path ?? "").ToLowerInvariant() switch
    {
        ".svg" => "svg",
        ".dot" or ".gv" => "dot",
        _ => "text",
    };
}
