namespace Nabla.NN;

/// <summary>Single-tensor <see cref="Module"/>s by name, as PyTorch's <c>nn.ModuleDict</c>. See <see cref="ModuleDict{T}"/>.</summary>
public sealed class ModuleDict : ModuleDict<Module>
{
    /// <summary>Creates an empty dictionary.</summary>
    public ModuleDict() { }

    /// <summary>Creates the dictionary with <paramref name="modules"/>, in order.</summary>
    public ModuleDict(IEnumerable<KeyValuePair<string, Module>> modules) : base(modules) { }
}
