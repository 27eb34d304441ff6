using System.Collections;
using System.Globalization;

namespace Nabla.NN;

/// <summary>
/// A list of submodules named by position (<c>0</c>, <c>1</c>, ...), as PyTorch's <c>nn.ModuleList</c>: its modules'
/// parameters are registered (<c>layers.0.weight</c>), and it has no forward of its own; the module that holds it calls them.
/// </summary>
/// <remarks>
/// <para><c>ModuleList&lt;Block&gt;</c> keeps the element type, so <c>foreach (Block b in _blocks) x = b.Forward(x, mask)</c>
/// compiles; <see cref="ModuleList"/> is the list of single-tensor <see cref="Module"/>s, <c>ModuleList&lt;ModuleBase&gt;</c>
/// takes modules of any form. Inserting or removing renumbers the names, as PyTorch does. Negative indices count from the end.</para>
/// </remarks>
/// <typeparam name="T">The type of the modules.</typeparam>
public class ModuleList<T> : ModuleBase, IReadOnlyList<T> where T : ModuleBase
{
    /// <summary>Creates the list with <paramref name="modules"/>.</summary>
    public ModuleList(params T[] modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        AddRange(modules);
    }

    /// <summary>The number of modules.</summary>
    public int Count => ModuleEntryCount;

    /// <summary>The module at <paramref name="index"/> (negative counts from the end); setting it replaces the module under the same name.</summary>
    public T this[int index]
    {
        get => (T)ModuleEntryAt(Normalize(index));
        set => SetModule(Normalize(index).ToString(CultureInfo.InvariantCulture), value);
    }

    /// <summary>Appends a module (PyTorch's <c>append</c>); returns this list.</summary>
    public ModuleList<T> Add(T module)
    {
        ArgumentNullException.ThrowIfNull(module);
        RegisterModule(Count.ToString(CultureInfo.InvariantCulture), module);
        return this;
    }

    /// <summary>Appends every module of <paramref name="modules"/> (PyTorch's <c>extend</c>); returns this list.</summary>
    public ModuleList<T> AddRange(IEnumerable<T> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (T m in modules) Add(m);
        return this;
    }

    /// <summary>Inserts a module before position <paramref name="index"/> (0..Count, negative counts from the end) and renumbers the names.</summary>
    public void Insert(int index, T module)
    {
        ArgumentNullException.ThrowIfNull(module);
        int i = index < 0 ? index + Count : index;
        if ((uint)i > (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), $"{TypeName}: cannot insert at index {index} of a list of {Count} modules");
        InsertModuleAt(i, module);
    }

    /// <summary>Removes the module at <paramref name="index"/> and renumbers the names.</summary>
    public void RemoveAt(int index) => RemoveModuleAt(Normalize(index));

    /// <summary>Enumerates the modules in order.</summary>
    public IEnumerator<T> GetEnumerator()
    {
        for (int i = 0; i < Count; i++) yield return (T)ModuleEntryAt(i);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Only <typeparamref name="T"/>s may be stored.</summary>
    protected override void CheckChild(string name, ModuleBase module)
    {
        if (module is not T)
            throw new ArgumentException($"{TypeName}: module '{name}' is a {ModuleNames.Of(module.GetType())}, but this list holds {ModuleNames.DotNet(typeof(T))}s");
    }

    private int Normalize(int index)
    {
        int i = index < 0 ? index + Count : index;
        return (uint)i < (uint)Count ? i
            : throw new ArgumentOutOfRangeException(nameof(index), $"{TypeName}: index {index} is out of range for a list of {Count} modules");
    }
}
