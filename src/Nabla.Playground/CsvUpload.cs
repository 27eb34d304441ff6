using System.Text;
using Nabla.Data;

namespace Nabla.Playground;

/// <summary>
/// Reads an uploaded CSV for the network view: two numeric feature columns and a class column (the last), with or
/// without a header. Classes are integers or names; there must be from 2 to <see cref="PlaygroundLimits.MaxClasses"/>.
/// </summary>
public static class CsvUpload
{
    /// <summary>The points of the file in a seeded random order and the number of classes; a <see cref="PlaygroundException"/> (400 or 413) says what is wrong.</summary>
    public static (float[] X, long[] Y, int Classes) Parse(byte[] content, PlaygroundLimits limits, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(limits);
        if (content.Length == 0) throw new PlaygroundException("the uploaded CSV is empty");
        if (content.Length > limits.MaxUploadBytes)
            throw new PlaygroundException(413, $"the uploaded CSV is {content.Length} bytes; the limit is {limits.MaxUploadBytes} bytes");
        string text;
        try { text = new UTF8Encoding(false, true).GetString(content); }
        catch (DecoderFallbackException) { throw new PlaygroundException("the uploaded file is not UTF-8 text; save it as a plain CSV"); }

        // CsvDataset reads files; the upload goes through a private temporary file that is deleted at once.
        string path = Path.Combine(Path.GetTempPath(), $"nabla-playground-{Guid.NewGuid():N}.csv");
        CsvDataset data;
        try
        {
            File.WriteAllText(path, text);
            data = CsvDataset.Load(path, labelColumn: -1);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or FormatException)
        {
            throw new PlaygroundException(e.Message.Replace(path, "the uploaded CSV", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(path);
        }

        int features = data.Features.Size(1);
        if (features != 2)
            throw new PlaygroundException($"the uploaded CSV has {features} feature columns; the playground needs exactly 2 feature columns and a class column last");
        if (data.Labels.DType != DType.Int64)
            throw new PlaygroundException(
                $"the class column (the last) holds fractional numbers or integers beyond int64; it must hold class names or whole-number class indices from 0 to {limits.MaxClasses - 1}");
        int n = data.Count;
        if (n < 4) throw new PlaygroundException($"the uploaded CSV has {n} rows; it needs at least 4");
        if (n > limits.MaxPoints) throw new PlaygroundException(413, $"the uploaded CSV has {n} rows; the limit is {limits.MaxPoints}");
        float[] x = data.Features.ToArray<float>();
        long[] y = data.Labels.ToArray<long>();
        foreach (float v in x)
            if (!float.IsFinite(v)) throw new PlaygroundException("the uploaded CSV has a feature that is not a finite number (NaN or infinity)");
        if (data.ClassNames is { } names)
        {
            if (names.Count > limits.MaxClasses)
                throw new PlaygroundException($"the uploaded CSV has {names.Count} classes; the limit is {limits.MaxClasses}");
        }
        else
        {
            // Whole-number classes are indices: each must lie in [0, MaxClasses), and the largest sets the class count.
            for (int i = 0; i < n; i++)
                if (y[i] < 0 || y[i] >= limits.MaxClasses)
                    throw new PlaygroundException(
                        $"class {y[i]} in data row {i + 1} is out of range; class indices must be from 0 to {limits.MaxClasses - 1} " +
                        $"(at most {limits.MaxClasses} classes), or write the classes as names");
        }
        int classes = (int)y.Max() + 1;
        if (classes < 2 || y.Distinct().Count() < 2) throw new PlaygroundException("the uploaded CSV has only one class; it needs at least 2");

        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        new Generator(seed).Shuffle(order.AsSpan());
        var sx = new float[2 * n];
        var sy = new long[n];
        for (int i = 0; i < n; i++)
        {
            sx[2 * i] = x[2 * order[i]];
            sx[2 * i + 1] = x[2 * order[i] + 1];
            sy[i] = y[order[i]];
        }
        return (sx, sy, classes);
    }
}
