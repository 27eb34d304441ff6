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
        try { _ = new UTF8Encoding(false, true).GetCharCount(content); }
        catch (DecoderFallbackException) { throw new PlaygroundException("the uploaded file is not UTF-8 text; save it as a plain CSV"); }

        CsvDataset data;
        try
        {
            data = CsvDataset.Load(new MemoryStream(content, writable: false), "the uploaded CSV", labelColumn: -1, maxClasses: limits.MaxClasses);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or FormatException)
        {
            throw new PlaygroundException(e.Message);
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
        // Whole-number classes are indices, which the reader keeps within [0, MaxClasses); the largest sets the class count.
        if (data.ClassNames is { } names && names.Count > limits.MaxClasses)
            throw new PlaygroundException($"the uploaded CSV has {names.Count} classes; the limit is {limits.MaxClasses}");
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
