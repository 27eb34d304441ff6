using Nabla.Cli.Commands;

namespace Nabla.Cli.Training;

/// <summary>
/// Reads back the run settings <c>nabla train</c> records (<see cref="TrainSettings.ToDictionary"/>) in its checkpoint
/// and as the <c>__metadata__</c> of <c>model.safetensors</c>, and compares them with a command line's options.
/// </summary>
/// <remarks>
/// Note [Recorded run settings]
/// <c>nabla train</c> stores every key of <see cref="TrainSettings.ToDictionary"/> in the checkpoint and in the model
/// file. Whoever reads them back (<c>train --resume</c>, <c>evaluate</c>) parses them with the command line's parser,
/// so a recorded value means what the same option means; a missing key or a value the parser refuses is an
/// <see cref="InvalidDataException"/> naming the file, never a default taken silently. An option given on the command
/// line that the recorded run fixes (its data split, its architecture) and that differs from the record is refused
/// with both values, never recorded and ignored.
/// </remarks>
public static class RecordedSettings
{
    /// <summary>The keys <c>nabla train</c> records.</summary>
    public static IReadOnlyList<string> Keys { get; } = [.. new TrainSettings().ToDictionary().Keys];

    /// <summary>Whether <paramref name="metadata"/> holds any key of the settings <c>nabla train</c> records (a file of another tool holds none).</summary>
    public static bool AnyRecorded(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return Keys.Any(metadata.ContainsKey);
    }

    /// <summary>
    /// The settings recorded in <paramref name="recorded"/>, checked by the same parser as the command line.
    /// <paramref name="where"/> says where they are stored ("the checkpoint") and <paramref name="remedy"/> what to do
    /// about a damaged record; both go into the message of the <see cref="InvalidDataException"/> thrown for a missing
    /// key or an invalid value (see Note [Recorded run settings]).
    /// </summary>
    public static TrainSettings Parse(IReadOnlyDictionary<string, string> recorded, string path, string where, string remedy)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var args = new List<string>();
        bool layers = recorded.TryGetValue("layers", out string? l) && l.Length > 0;
        foreach (string key in Keys)
        {
            // Every key is written by nabla train; a missing one would silently take today's default. Runs recorded
            // before --precision existed trained in float32, which is its default.
            if (!recorded.TryGetValue(key, out string? value) && key == "precision") continue;
            if (value is null)
                throw new InvalidDataException($"{path}: the run settings stored in {where} have no '{key}'; {remedy}");
            if (value.Length == 0) continue;
            if (key is "activation" or "init" && !layers) continue; // recorded for presets too, where they do not apply
            if (key == "model" && layers) continue;
            args.Add("--" + key.Replace('_', '-'));
            args.Add(value);
        }
        try
        {
            return TrainCommand.Parse(args);
        }
        catch (UsageException e)
        {
            throw new InvalidDataException($"{path}: the run settings stored in {where} are not valid ({e.Message}); {remedy}");
        }
    }

    /// <summary>
    /// Refuses each of <paramref name="options"/> that the command line gave (<see cref="TrainSettings.Given"/>) with a
    /// value other than <paramref name="recorded"/>'s, naming both: <c>--seed 7 conflicts with the model file m, which
    /// was trained with --seed 1</c>. <c>--model</c> and <c>--layers</c> are compared together, as alternatives.
    /// </summary>
    /// <param name="commandLine">The settings parsed from the command line.</param>
    /// <param name="recorded">The settings of the recorded run.</param>
    /// <param name="options">The options to compare, such as <c>--seed</c>.</param>
    /// <param name="file">The file holding the record, as messages name it ("the checkpoint runs/x/checkpoint.safetensors").</param>
    /// <param name="hint">The hint for a refused option.</param>
    /// <exception cref="UsageException">An option differs from the record.</exception>
    public static void RefuseConflicts(TrainSettings commandLine, TrainSettings recorded, IEnumerable<string> options, string file, Func<string, string> hint)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        ArgumentNullException.ThrowIfNull(recorded);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(hint);
        foreach (string option in options.Where(commandLine.Given.Contains))
        {
            string[] compared = option is "--model" or "--layers" ? ["--model", "--layers"] : [option];
            if (compared.All(o => Value(commandLine, o) == Value(recorded, o))) continue;
            string theirs = option is "--model" or "--layers" ? Describe(recorded) : $"{option} {Value(recorded, option)}";
            throw new UsageException($"{option} {Value(commandLine, option)} conflicts with {file}, which was trained with {theirs}", hint(option));
        }
    }

    /// <summary>The model a run trains, as its options write it: <c>--layers 2,8,2</c> or <c>--model mlp</c>.</summary>
    public static string Describe(TrainSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return s.Layers is { } l ? $"--layers {string.Join(",", l)}" : $"--model {s.Model}";
    }

    private static string Value(TrainSettings s, string option) => s.ToDictionary().GetValueOrDefault(option[2..].Replace('-', '_'), "");
}
