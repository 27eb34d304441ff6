using System.Globalization;
using Nabla.Cli.Expressions;

namespace Nabla.Cli.Commands;

/// <summary>The variable values given with one or more <c>--at name=value,name=value</c> options.</summary>
public sealed class VariableAssignments
{
    private readonly List<Assignment> _assignments = [];
    private readonly Dictionary<string, Assignment> _byName = new(StringComparer.Ordinal);

    /// <summary>The pairs in the order given.</summary>
    public IReadOnlyList<Assignment> All => _assignments;

    /// <summary>Looks up the pair that gives <paramref name="name"/> its value.</summary>
    public bool TryGet(string name, out Assignment? assignment) => _byName.TryGetValue(name, out assignment);

    /// <summary>The values by name, as the evaluator takes them.</summary>
    public IReadOnlyDictionary<string, double> Values() => _byName.ToDictionary(p => p.Key, p => p.Value.Value, StringComparer.Ordinal);

    /// <summary>
    /// Parses one <c>--at</c> argument: comma-separated <c>name=value</c> pairs, spaces around them ignored,
    /// values in invariant culture (<c>3</c>, <c>-0.5</c>, <c>1e-3</c>).
    /// </summary>
    /// <exception cref="ParseException">A malformed pair, name or number, or a name given twice; positions index <paramref name="text"/>.</exception>
    public void Add(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int start = 0;
        while (true)
        {
            int comma = text.IndexOf(',', start);
            int end = comma < 0 ? text.Length : comma;
            AddPair(text, start, end);
            if (comma < 0) return;
            start = comma + 1;
        }
    }

    private void AddPair(string text, int start, int end)
    {
        while (start < end && char.IsWhiteSpace(text[start])) start++;
        while (end > start && char.IsWhiteSpace(text[end - 1])) end--;
        if (start == end)
            throw new ParseException($"empty name=value pair in --at at position {start + 1}", start,
                "write pairs separated by single commas, as in --at w=2,x=3");
        string pair = text[start..end];
        int equals = pair.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
            throw new ParseException($"malformed --at pair '{pair}' at position {start + 1}; expected name=value", start,
                $"write it as {(Lexer.IsIdentifier(pair) ? pair : "x")}=<number>, as in x=1.5");
        string name = pair[..equals].TrimEnd();
        string valueText = pair[(equals + 1)..].TrimStart();
        int valuePosition = start + pair.Length - valueText.Length;
        if (name.Length == 0)
            throw new ParseException($"missing variable name in --at at position {start + 1}", start, "write name=value, as in x=1.5");
        if (!Lexer.IsIdentifier(name))
            throw new ParseException($"invalid variable name '{name}' in --at at position {start + 1}", start,
                "a name starts with a letter or '_' and continues with letters, digits or '_'");
        if (MathFunctions.IsFunctionName(name))
            throw new ParseException($"'{name}' in --at at position {start + 1} is a function name, not a variable", start,
                "rename the variable in the expression and in --at");
        if (valueText.Length == 0)
            throw new ParseException($"missing value for '{name}' in --at at position {valuePosition + 1}", valuePosition,
                $"write {name}=<number>, as in {name}=1.5");
        if (!double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            throw new ParseException($"invalid number '{valueText}' for '{name}' in --at at position {valuePosition + 1}", valuePosition,
                "numbers look like 3, -0.5 or 1e-3 (a dot for decimals, no thousands separators)");
        if (!double.IsFinite(value))
            throw new ParseException($"value '{valueText}' for '{name}' in --at at position {valuePosition + 1} is not a finite float64", valuePosition,
                "give a finite number; the largest float64 is about 1.8e308");
        if (_byName.TryGetValue(name, out Assignment? earlier))
            throw new ParseException($"variable '{name}' is given twice in --at, again at position {start + 1}", start,
                $"keep one value for '{name}' (the first is {NumberText.Format(earlier.Value)})");
        var assignment = new Assignment(name, value, text, start);
        _assignments.Add(assignment);
        _byName[name] = assignment;
    }
}
