namespace Nabla.NN;

/// <summary>How modules are named in print: PyTorch's class name for Nabla's own modules.</summary>
internal static class ModuleNames
{
    // PyTorch spells these acronyms in capitals; .NET casing spells them as words (Relu, Gelu, Lstm).
    private static readonly Dictionary<string, string> Words = new(StringComparer.Ordinal)
    {
        ["Relu"] = "ReLU", ["Relu6"] = "ReLU6", ["Gelu"] = "GELU", ["Silu"] = "SiLU", ["Elu"] = "ELU", ["Selu"] = "SELU",
        ["Celu"] = "CELU", ["Glu"] = "GLU", ["Lstm"] = "LSTM", ["Gru"] = "GRU", ["Rnn"] = "RNN",
    };

    /// <summary>
    /// The printed name of a module type: for Nabla's types, PyTorch's class name (<c>Relu</c> → <c>ReLU</c>,
    /// <c>LeakyRelu</c> → <c>LeakyReLU</c>, <c>PRelu</c> → <c>PReLU</c>, <c>Lstm</c> → <c>LSTM</c>); for other types their
    /// own name. Generic types lose their arity suffix (<c>ModuleList</c>).
    /// </summary>
    public static string Of(Type type)
    {
        string name = DotNet(type);
        return type.Assembly == typeof(ModuleBase).Assembly ? PyTorchCasing(name) : name;
    }

    /// <summary>The C# name of a type without its generic arity (<c>ModuleList</c>, <c>Linear</c>, <c>Tensor</c>), for Nabla's own diagnostics.</summary>
    public static string DotNet(Type type)
    {
        string name = (Nullable.GetUnderlyingType(type) ?? type).Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick >= 0 ? name[..tick] : name;
    }

    /// <summary>The name with every word (a capital and what follows up to the next capital) spelled as PyTorch does.</summary>
    internal static string PyTorchCasing(string name)
    {
        var sb = new System.Text.StringBuilder();
        int start = 0;
        for (int i = 1; i <= name.Length; i++)
        {
            if (i < name.Length && !char.IsUpper(name[i])) continue;
            string word = name[start..i];
            sb.Append(Words.GetValueOrDefault(word, word));
            start = i;
        }
        return sb.ToString();
    }
}
