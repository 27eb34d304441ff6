namespace Nabla.Cli.Expressions;

/// <summary>Names of the <see cref="MathFunction"/>s as written in expressions, and their tensor ops.</summary>
public static class MathFunctions
{
    private static readonly Dictionary<string, MathFunction> ByName = new(StringComparer.Ordinal)
    {
        ["exp"] = MathFunction.Exp,
        ["log"] = MathFunction.Log,
        ["sqrt"] = MathFunction.Sqrt,
        ["tanh"] = MathFunction.Tanh,
        ["sigmoid"] = MathFunction.Sigmoid,
        ["relu"] = MathFunction.Relu,
    };

    /// <summary>The function names, separated by spaces, for help text and hints.</summary>
    public static string NameList { get; } = string.Join(' ', ByName.Keys);

    /// <summary>Looks up a function by its exact (lower-case) name.</summary>
    public static bool TryGet(string name, out MathFunction function) => ByName.TryGetValue(name, out function);

    /// <summary>Whether <paramref name="name"/> is a function name, and so cannot name a variable.</summary>
    public static bool IsFunctionName(string name) => ByName.ContainsKey(name);

    /// <summary>The function whose name matches <paramref name="name"/> ignoring case, for "did you mean" hints.</summary>
    public static string? Suggest(string name)
    {
        foreach (string known in ByName.Keys)
            if (string.Equals(known, name, StringComparison.OrdinalIgnoreCase)) return known;
        return null;
    }

    /// <summary>The name of <paramref name="function"/> as written in expressions.</summary>
    public static string NameOf(MathFunction function) => function switch
    {
        MathFunction.Exp => "exp",
        MathFunction.Log => "log",
        MathFunction.Sqrt => "sqrt",
        MathFunction.Tanh => "tanh",
        MathFunction.Sigmoid => "sigmoid",
        MathFunction.Relu => "relu",
        _ => throw new ArgumentOutOfRangeException(nameof(function), function, null),
    };

    /// <summary>Applies <paramref name="function"/> to <paramref name="x"/> with the engine's op.</summary>
    public static Tensor Apply(MathFunction function, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return function switch
        {
            MathFunction.Exp => x.Exp(),
            MathFunction.Log => x.Log(),
            MathFunction.Sqrt => x.Sqrt(),
            MathFunction.Tanh => x.Tanh(),
            MathFunction.Sigmoid => x.Sigmoid(),
            MathFunction.Relu => x.Relu(),
            _ => throw new ArgumentOutOfRangeException(nameof(function), function, null),
        };
    }
}
