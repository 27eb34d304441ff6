using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Nabla.NN;

/// <summary>
/// Submodules by name in insertion order, as PyTorch's <c>nn.ModuleDict</c>: <c>heads["age"]</c> is registered as
/// <c>heads.age</c>; it has no forward of its own.
/// </summary>
/// <remarks>Keys are registration names: non-empty, without '.'. <see cref="ModuleDict"/> holds single-tensor modules,
/// <c>ModuleDict&lt;ModuleBase&gt;</c> any.</remarks>
/// <typeparam name="T">The type of the modules.</typeparam>
[SuppressMessage("Naming", "CA1710:Identifiers should have correct suffix", Justification = "PyTorch's name")]
public class ModuleDict<T> : ModuleBase, IReadOnlyDictionary<string, T> where T : ModuleBase
{
    /// <summary>Creates an empty dictionary.</summary>
    public ModuleDict() { }

    /// <summary>Creates the dictionary with <paramref name="modules"/>, in order.</summary>
    public ModuleDict(IEnumerable<KeyValuePair<string, T>> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (var (key, module) in modules) Add(key, module);
    }

    /// <summary>The number of modules.</summary>
    public int Count => ModuleEntryCount;

    /// <summary>The module under <paramref name="key"/>; setting it adds it or replaces the module under that name.</summary>
    /// <exception cref="KeyNotFoundException">Getting a key that is not there.</exception>
    public T this[string key]
    {
        get => TryGetValue(key, out T? m) ? m : throw new KeyNotFoundException($"{TypeName}: no module named '{key}'; the keys are {string.Join(", ", Keys.Select(k => $"'{k}'"))}");
        set => SetModule(CheckKey(key), value);
    }

    /// <summary>The keys in insertion order.</summary>
    public IEnumerable<string> Keys => ModuleEntries.Select(e => e.Key);

    /// <summary>The modules in insertion order.</summary>
    public IEnumerable<T> Values => ModuleEntries.Select(e => (T)e.Value);

    /// <summary>Adds a module under a new key.</summary>
    /// <exception cref="ArgumentException">The key is taken or invalid.</exception>
    public void Add(string key, T module)
    {
        ArgumentNullException.ThrowIfNull(module);
        RegisterModule(CheckKey(key), module);
    }

    /// <summary>Removes the module under <paramref name="key"/> (PyTorch's <c>pop</c>); false when there is none.</summary>
    public bool Remove(string key) => RemoveEntry(key);

    /// <summary>Whether a module is registered under <paramref name="key"/>.</summary>
    public bool ContainsKey(string key) => ModuleEntries.Any(e => e.Key == key);

    /// <summary>The module under <paramref name="key"/>, if any.</summary>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out T value)
    {
        foreach (var (k, m) in ModuleEntries)
            if (k == key)
            {
                value = (T)m;
                return true;
            }
        value = null;
        return false;
    }

    /// <summary>Enumerates (key, module) pairs in insertion order.</summary>
    public IEnumerator<KeyValuePair<string, T>> GetEnumerator() => ModuleEntries.Select(e => new KeyValuePair<string, T>(e.Key, (T)e.Value)).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Only <typeparamref name="T"/>s may be stored.</summary>
    protected override void CheckChild(string name, ModuleBase module)
    {
        if (module is not T)
            throw new ArgumentException($"{TypeName}: module '{name}' is a {ModuleNames.Of(module.GetType())}, but this dictionary holds {ModuleNames.DotNet(typeof(T))}s");
    }

    private string CheckKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        CheckName(key, GetType());
        return key;
    }
}
