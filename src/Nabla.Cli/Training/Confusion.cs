using System.Globalization;

namespace Nabla.Cli.Training;

// Note [Bounded confusion output]
// A confusion matrix has classes² cells: 10,000 classes would print 400 MB. Counts are kept sparse (one entry per
// (true, predicted) pair that occurs, plus per-class totals), so memory grows with the samples, not with classes².
// The text shows the whole matrix up to MaxMatrixClasses classes; --json includes it up to MaxJsonMatrixClasses (a
// 100 x 100 matrix is ~40 KB of JSON, still one screenful for a program). Beyond that both give totals and the
// WorstClasses classes with the lowest accuracy (ties: more samples first), each with the class it is most often
// mistaken for.

/// <summary>Counts of (true class, predicted class) pairs, and how to print them within a bound. See Note [Bounded confusion output].</summary>
public sealed class Confusion
{
    /// <summary>Up to this many classes the text output shows the whole matrix.</summary>
    public const int MaxMatrixClasses = 20;

    /// <summary>Up to this many classes the JSON output holds the whole matrix.</summary>
    public const int MaxJsonMatrixClasses = 100;

    /// <summary>How many of the least accurate classes the summary lists.</summary>
    public const int WorstClasses = 10;

    private readonly Dictionary<(int True, int Predicted), long> _cells = [];
    private readonly long[] _samples;
    private readonly long[] _correct;

    /// <summary>Creates empty counts over <paramref name="classes"/> classes.</summary>
    public Confusion(int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(classes);
        Classes = classes;
        _samples = new long[classes];
        _correct = new long[classes];
    }

    /// <summary>The number of classes.</summary>
    public int Classes { get; }

    /// <summary>Counts one sample of class <paramref name="truth"/> predicted as <paramref name="predicted"/>.</summary>
    public void Add(long truth, long predicted)
    {
        if ((ulong)truth >= (ulong)Classes || (ulong)predicted >= (ulong)Classes)
            throw new ArgumentOutOfRangeException(nameof(truth), $"Confusion.Add: classes {truth} and {predicted} must be in 0..{Classes - 1}");
        var key = ((int)truth, (int)predicted);
        _cells[key] = _cells.GetValueOrDefault(key) + 1;
        _samples[truth]++;
        if (truth == predicted) _correct[truth]++;
    }

    /// <summary>How many samples of class <paramref name="truth"/> were predicted as <paramref name="predicted"/>.</summary>
    public long Count(int truth, int predicted) => _cells.GetValueOrDefault((truth, predicted));

    /// <summary>The rows of the whole matrix (rows: true class, columns: predicted).</summary>
    public long[][] Matrix() =>
        Enumerable.Range(0, Classes).Select(i => Enumerable.Range(0, Classes).Select(j => Count(i, j)).ToArray()).ToArray();

    /// <summary>
    /// The <see cref="WorstClasses"/> classes with samples and the lowest accuracy: class, samples, correct, accuracy
    /// and the class its samples are most often mistaken for (-1 when never).
    /// </summary>
    public IReadOnlyList<(int Class, long Samples, long Correct, double Accuracy, int MistakenFor)> Worst()
    {
        var mistaken = new Dictionary<int, (int Predicted, long Count)>();
        foreach (var ((t, p), n) in _cells)
            if (t != p && (!mistaken.TryGetValue(t, out var best) || n > best.Count || n == best.Count && p < best.Predicted))
                mistaken[t] = (p, n);
        return Enumerable.Range(0, Classes).Where(c => _samples[c] > 0)
            .Select(c => (Class: c, Samples: _samples[c], Correct: _correct[c], Accuracy: (double)_correct[c] / _samples[c],
                MistakenFor: mistaken.TryGetValue(c, out var m) ? m.Predicted : -1))
            .OrderBy(r => r.Accuracy).ThenByDescending(r => r.Samples).ThenBy(r => r.Class)
            .Take(WorstClasses).ToList();
    }

    /// <summary>How many classes have test samples.</summary>
    public int ClassesWithSamples() => _samples.Count(n => n > 0);

    /// <summary>Writes the matrix (up to <see cref="MaxMatrixClasses"/> classes) or the summary to <paramref name="output"/>.</summary>
    public void WriteText(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (Classes <= MaxMatrixClasses)
        {
            output.WriteLine("confusion matrix (rows: true class, columns: predicted):");
            long max = _cells.Count == 0 ? 0 : _cells.Values.Max();
            int w = Math.Max(4, max.ToString(CultureInfo.InvariantCulture).Length + 1);
            output.WriteLine("     " + string.Concat(Enumerable.Range(0, Classes).Select(j => j.ToString(CultureInfo.InvariantCulture).PadLeft(w))));
            for (int i = 0; i < Classes; i++)
                output.WriteLine(i.ToString(CultureInfo.InvariantCulture).PadLeft(4) + " " +
                    string.Concat(Enumerable.Range(0, Classes).Select(j => Count(i, j).ToString(CultureInfo.InvariantCulture).PadLeft(w))));
            return;
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Classes:N0} classes ({ClassesWithSamples():N0} with test samples): the confusion matrix is shown up to {MaxMatrixClasses} classes; the {WorstClasses} least accurate classes:"));
        output.WriteLine("   class  samples  correct  accuracy  most often taken for");
        foreach (var r in Worst())
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Class,8} {r.Samples,8} {r.Correct,8} {r.Accuracy,9:F4}  {(r.MistakenFor < 0 ? "-" : r.MistakenFor.ToString(CultureInfo.InvariantCulture))}"));
    }

    /// <summary>The JSON fields: <c>confusion</c> up to <see cref="MaxJsonMatrixClasses"/> classes, else <c>worst_classes</c>.</summary>
    public Dictionary<string, object?> ToJsonFields()
    {
        var fields = new Dictionary<string, object?> { ["classes"] = Classes };
        if (Classes <= MaxJsonMatrixClasses)
        {
            fields["confusion"] = Matrix();
            return fields;
        }
        fields["confusion"] = null;
        fields["classes_with_samples"] = ClassesWithSamples();
        fields["worst_classes"] = Worst().Select(r => new Dictionary<string, object>
        {
            ["class"] = r.Class, ["samples"] = r.Samples, ["correct"] = r.Correct, ["accuracy"] = r.Accuracy, ["most_often_taken_for"] = r.MistakenFor,
        }).ToList();
        return fields;
    }
}
