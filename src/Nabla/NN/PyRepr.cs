using System.Globalization;

namespace Nabla.NN;

/// <summary>Values written as Python writes them in a PyTorch module's repr: <c>1e-05</c>, <c>2.0</c>, <c>True</c>, <c>(3, 3)</c>, <c>(3,)</c>.</summary>
internal static class PyRepr
{
    /// <summary>A float as Python's <c>repr</c>: the shortest round-trip digits, a <c>.0</c> on integers, an exponent of at least two digits.</summary>
    public static string Float(double v)
    {
        if (double.IsNaN(v)) return "nan";
        if (double.IsInfinity(v)) return v > 0 ? "inf" : "-inf";
        if (v == 0) return double.IsNegative(v) ? "-0.0" : "0.0";
        // The shortest round-trip digits d1 d2 ... and the decimal exponent e of d1 (v = d1.d2... * 10^e), then Python's layout:
        // positional for -4 <= e < 16, else d1.d2...e+XX with at least two exponent digits.
        string r = Math.Abs(v).ToString("E16", CultureInfo.InvariantCulture);
        string shortest = Math.Abs(v).ToString("R", CultureInfo.InvariantCulture);
        int e = int.Parse(r[(r.IndexOf('E', StringComparison.Ordinal) + 1)..], CultureInfo.InvariantCulture);
        int ePos = shortest.IndexOf('E', StringComparison.Ordinal);
        string digits = (ePos < 0 ? shortest : shortest[..ePos]).Replace(".", "", StringComparison.Ordinal).TrimStart('0').TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        string sign = v < 0 ? "-" : "";
        if (e is >= -4 and < 16)
        {
            string body = e >= 0
                ? digits.PadRight(e + 1, '0').Insert(e + 1, ".")
                : "0." + new string('0', -e - 1) + digits;
            if (body.EndsWith('.')) body += "0";
            return sign + body;
        }
        string mantissa = digits.Length == 1 ? digits : digits.Insert(1, ".");
        return $"{sign}{mantissa}e{(e < 0 ? '-' : '+')}{Math.Abs(e):00}";
    }

    /// <summary>A bool as Python writes it.</summary>
    public static string Bool(bool v) => v ? "True" : "False";

    /// <summary>A tuple of ints as Python writes it: <c>(3, 3)</c>, or <c>(3,)</c> for one value.</summary>
    public static string Tuple(params int[] values) => values.Length == 1 ? $"({values[0]},)" : "(" + string.Join(", ", values) + ")";

    /// <summary>A tuple of floats as Python writes it: <c>(1.5, 2.0)</c>, or <c>(1.5,)</c> for one value.</summary>
    public static string Tuple(params double[] values) =>
        values.Length == 1 ? $"({Float(values[0])},)" : "(" + string.Join(", ", values.Select(Float)) + ")";
}
