using System.Globalization;

namespace Nabla.NN;

/// <summary>Python's <c>repr</c> of the values PyTorch's module reprs show, so that a module prints as in PyTorch.</summary>
internal static class PyRepr
{
    /// <summary>A float as Python prints it: shortest round-trip digits, <c>1.0</c>, <c>0.001</c>, <c>1e-05</c>, <c>1e+16</c>, <c>inf</c>, <c>nan</c>.</summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        // Shortest round-trip digits, then Python's rule: scientific when the exponent is below -4 or at least 16.
        string shortest = value.ToString("R", CultureInfo.InvariantCulture);
        string sign = value < 0 || (value == 0 && double.IsNegative(value)) ? "-" : "";
        string digits = Digits(shortest.TrimStart('-'), out int exponent);
        if (exponent < -4 || exponent >= 16)
        {
            string mantissa = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
            return $"{sign}{mantissa}e{(exponent < 0 ? "-" : "+")}{Math.Abs(exponent):00}";
        }
        string text;
        if (exponent < 0) text = "0." + new string('0', -exponent - 1) + digits;
        else if (digits.Length <= exponent + 1) text = digits + new string('0', exponent + 1 - digits.Length) + ".0";
        else text = digits[..(exponent + 1)] + "." + digits[(exponent + 1)..];
        return sign + text;
    }

    /// <summary>The significant digits of a positive number's round-trip text and the decimal exponent of the first.</summary>
    private static string Digits(string text, out int exponent)
    {
        int e = text.IndexOfAny(['E', 'e']);
        int shift = e < 0 ? 0 : int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        string mantissa = e < 0 ? text : text[..e];
        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        string whole = dot < 0 ? mantissa : mantissa[..dot], fraction = dot < 0 ? "" : mantissa[(dot + 1)..];
        string all = whole + fraction;
        int leading = all.Length - all.TrimStart('0').Length;
        string digits = all.Trim('0');
        if (digits.Length == 0)
        {
            exponent = 0;
            return "0";
        }
        exponent = whole.Length - 1 - leading + shift;
        return digits;
    }

    /// <summary>A number PyTorch declares as an int (Softplus's beta): whole values print as ints, others as floats.</summary>
    public static string Number(double value) =>
        double.IsFinite(value) && value == Math.Round(value) && Math.Abs(value) < 1e15 ? ((long)value).ToString(CultureInfo.InvariantCulture) : Float(value);

    /// <summary><c>True</c> or <c>False</c>.</summary>
    public static string Bool(bool value) => value ? "True" : "False";

    /// <summary>A tuple of ints: <c>(3,)</c>, <c>(3, 5)</c>.</summary>
    public static string Tuple(IReadOnlyList<int> values) =>
        values.Count == 1 ? $"({values[0]},)" : $"({string.Join(", ", values)})";

    /// <summary>What the user gave: an int when one value was given (<c>2</c>), else a tuple (<c>(2, 3)</c>).</summary>
    public static string IntOrTuple(IReadOnlyList<int> values) => values.Count == 1 ? values[0].ToString(CultureInfo.InvariantCulture) : Tuple(values);

    /// <summary>A tuple of ints given one by one: <c>(3, 3)</c>.</summary>
    public static string Tuple(params int[] values) => Tuple((IReadOnlyList<int>)values);

    /// <summary>A tuple of floats: <c>(1.5, 2.0)</c>, or <c>(1.5,)</c> for one value.</summary>
    public static string Tuple(params double[] values) =>
        values.Length == 1 ? $"({Float(values[0])},)" : "(" + string.Join(", ", values.Select(Float)) + ")";
}
