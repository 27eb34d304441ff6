namespace Nabla.NN;

/// <summary>
/// A list of single-tensor <see cref="Module"/>s named by position, as PyTorch's <c>nn.ModuleList</c>
/// (<c>foreach (Module layer in _layers) x = layer.Forward(x)</c>). See <see cref="ModuleList{T}"/>.
/// </summary>
public sealed class ModuleList : ModuleList<Module>
{
    /// <summary>Creates the list with <paramref name="modules"/>.</summary>
    public ModuleList(params Module[] modules) : base(modules) { }
}
