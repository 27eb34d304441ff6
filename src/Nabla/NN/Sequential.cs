using System.Globalization;

namespace Nabla.NN;

/// <summary>Runs its modules in order; they are named <c>0</c>, <c>1</c>, ... as in PyTorch.</summary>
public sealed class Sequential : Module
{
    /// <summary>Creates a sequence of the given modules.</summary>
    public Sequential(params Module[] modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (Module m in modules) Add(m);
    }

    /// <summary>Appends a module, named by its position.</summary>
    public Sequential Add(Module module)
    {
        RegisterModule(Count.ToString(CultureInfo.InvariantCulture), module);
        return this;
    }

    /// <summary>The number of modules.</summary>
    public int Count => ModuleEntryCount;

    /// <summary>The module at <paramref name="index"/>; setting it replaces the module under the same name (<c>seq[2] = new Linear(...)</c>).</summary>
    public Module this[int index]
    {
        get => (Module)ModuleEntryAt(CheckIndex(index));
        set => SetModule(CheckIndex(index).ToString(CultureInfo.InvariantCulture), value);
    }

    private int CheckIndex(int index) => (uint)index < (uint)Count ? index
        : throw new ArgumentOutOfRangeException(nameof(index), $"Sequential: index {index} is out of range for {Count} modules");

    /// <summary>Only modules of the single-tensor form can be chained.</summary>
    protected override void CheckChild(string name, ModuleBase module)
    {
        if (module is not Module)
            throw new ArgumentException($"Sequential: module '{name}' is a {ModuleNames.Of(module.GetType())}, whose forward is not Tensor -> Tensor; Sequential passes one tensor from module to module");
    }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input)
    {
        Tensor x = input;
        IReadOnlyList<KeyValuePair<string, ModuleBase>> modules = ModuleEntries;
        for (int i = 0; i < modules.Count; i++) x = ((Module)modules[i].Value).Forward(x);
        return x;
    }

    /// <summary>
    /// Replaces each module that has a fused form with its next module (<see cref="Module.FuseWith"/>, e.g. a Linear
    /// followed by a Relu becomes a <see cref="LinearRelu"/>) by that fused form, and the next one by an
    /// <see cref="Identity"/>, so that names and the state_dict stay as they were. Modules with hooks are left alone.
    /// </summary>
    protected override void OnFuse()
    {
        for (int i = 0; i + 1 < Count; i++)
        {
            Module m = this[i], next = this[i + 1];
            if (m.HasHooks || next.HasHooks || m.FuseWith(next) is not { } fused) continue;
            this[i] = fused;
            this[i + 1] = new Identity();
            i++;
        }
    }
}
