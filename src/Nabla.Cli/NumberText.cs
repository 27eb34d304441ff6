using System.Globalization;

namespace Nabla.Cli;

/// <summary>How the CLI prints numbers.</summary>
public static class NumberText
{
    /// <summary>
    /// The shortest invariant-culture text that parses back to exactly <paramref name="value"/>
    /// (for example <c>16</c>, <c>-24</c>, <c>0.8099999999999998</c>, <c>1E-20</c>, <c>NaN</c>, <c>-Infinity</c>).
    /// </summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
