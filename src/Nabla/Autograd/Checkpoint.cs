using Nabla.Graph;
using Nabla.NN;

namespace Nabla;

/// <summary>
/// Gradient checkpointing (PyTorch's <c>torch.utils.checkpoint</c>, non-reentrant): a segment's forward keeps only its
/// inputs, and backward recomputes the segment to differentiate it, trading about one extra forward for the memory of
/// the segment's activations.
/// </summary>
/// <remarks>
/// <para>The segment's graph is recorded as usual, so gradients reach its inputs and the parameters inside it (no input
/// needs to require a gradient), <see cref="Tensor.Backward"/> and <see cref="Autograd.Grad(IReadOnlyList{Tensor}, IReadOnlyList{Tensor}, IReadOnlyList{Tensor}?, bool, bool?, bool)"/>
/// both work, and so do second derivatives (<c>createGraph</c>); only the tensors its backward rules saved are
/// dropped. The first rule of the segment that backward runs re-runs the function under grad mode, with every
/// generator it drew from (the default one and any a module holds) set back to its state at the first draw, so dropout
/// masks are the same and the loss and every gradient are bit for bit those of the plain run; the generators are then
/// restored to where the program had them. Checkpoints nest. Outside grad mode the function just runs.</para>
/// <para>The function must do the same operations on every call (PyTorch's rule): the recomputation is checked op by
/// op, saved tensor by saved tensor (shape, dtype and version), and a difference is an error naming the checkpoint and
/// the counts. An input modified in place after the forward is an error too. Random draws are tracked through the
/// library's random ops; a <see cref="Generator"/> whose methods the function calls directly is not restored.</para>
/// <para>Mechanism: Note [Checkpoint frames] (<c>src/Nabla/Autograd/CheckpointFrame.cs</c>); docs/scale-checkpointing.md.</para>
/// </remarks>
/// <example><code>
/// Tensor h = x;
/// foreach (GptBlock block in blocks) h = Checkpoint.Run(block, h);   // each block a segment
/// loss = Head(h); loss.Backward();                                    // recomputes block by block
/// </code></example>
public static class Checkpoint
{
    /// <summary>Runs <paramref name="function"/> on <paramref name="input"/> as a checkpointed segment (<c>checkpoint(fn, x, use_reentrant=False)</c>).</summary>
    /// <exception cref="ArgumentNullException">An argument is null, or the function returned null.</exception>
    public static Tensor Run(Func<Tensor, Tensor> function, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Run(Describe(function), xs => [function(xs[0])], [input])[0];
    }

    /// <summary>Runs <paramref name="function"/> on two inputs as a checkpointed segment.</summary>
    /// <exception cref="ArgumentNullException">An argument is null, or the function returned null.</exception>
    public static Tensor Run(Func<Tensor, Tensor, Tensor> function, Tensor input1, Tensor input2)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Run(Describe(function), xs => [function(xs[0], xs[1])], [input1, input2])[0];
    }

    /// <summary>Runs <paramref name="module"/>'s forward on <paramref name="input"/> as a checkpointed segment (<c>checkpoint(module, x)</c>).</summary>
    /// <exception cref="ArgumentNullException">An argument is null, or the module returned null.</exception>
    public static Tensor Run(Module module, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(module);
        return Run($"checkpoint of {module.GetType().Name}", xs => [module.Forward(xs[0])], [input])[0];
    }

    /// <summary>
    /// Runs <paramref name="function"/> on any number of inputs, returning any number of outputs, as a checkpointed
    /// segment: <c>checkpoint(fn, *args)</c> for a function of several tensors that returns a tuple.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument or input is null, or the function returned null or a null output.</exception>
    public static Tensor[] Run(Func<Tensor[], Tensor[]> function, params Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Run(Describe(function), function, inputs);
    }

    /// <summary>
    /// Runs <paramref name="modules"/> in order on <paramref name="input"/> split into <paramref name="segments"/>
    /// segments of <c>modules.Count / segments</c> modules, each checkpointed but the last, which runs plainly and takes
    /// the remainder: PyTorch's <c>checkpoint_sequential(functions, segments, input, use_reentrant=False)</c>.
    /// </summary>
    /// <remarks>The last segment is not checkpointed because backward starts there: its activations are needed at once,
    /// and recomputing them would cost a forward and save nothing.</remarks>
    /// <exception cref="ArgumentNullException">An argument or module is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="segments"/> is not in <c>[1, modules.Count]</c>.</exception>
    public static Tensor Sequential(IReadOnlyList<Module> modules, int segments, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(modules);
        ArgumentNullException.ThrowIfNull(input);
        for (int i = 0; i < modules.Count; i++)
            if (modules[i] is null) throw new ArgumentNullException(nameof(modules), $"Checkpoint.Sequential: module {i} is null");
        if (segments < 1 || segments > modules.Count)
            throw new ArgumentException(
                $"Checkpoint.Sequential: segments must be between 1 and the number of modules ({modules.Count}), got {segments}", nameof(segments));
        int size = modules.Count / segments;
        Tensor x = input;
        for (int s = 0; s < segments - 1; s++)
        {
            int start = s * size, end = start + size;
            x = Run($"checkpoint of segment {s} (modules {start}..{end - 1})", xs => [RunModules(modules, start, end, xs[0])], [x])[0];
        }
        return RunModules(modules, (segments - 1) * size, modules.Count, x);
    }

    /// <summary><see cref="Sequential(IReadOnlyList{Module}, int, Tensor)"/> over the modules of a <see cref="NN.Sequential"/>.</summary>
    public static Tensor Sequential(NN.Sequential modules, int segments, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(modules);
        var list = new Module[modules.Count];
        for (int i = 0; i < list.Length; i++) list[i] = modules[i];
        return Sequential(list, segments, input);
    }

    private static Tensor RunModules(IReadOnlyList<Module> modules, int start, int end, Tensor x)
    {
        for (int i = start; i < end; i++) x = modules[i].Forward(x);
        return x;
    }

    private static Tensor[] Run(string name, Func<Tensor[], Tensor[]> function, Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        for (int i = 0; i < inputs.Length; i++)
            if (inputs[i] is null) throw new ArgumentNullException(nameof(inputs), $"{name}: input {i} is null");
        Func<Tensor[], Tensor[]> checkedFunction = xs => CheckOutputs(name, function(xs));
        if (!Autograd.IsGradEnabled) return checkedFunction(inputs);
        return new CheckpointFrame($"{name} (inputs {string.Join(", ", inputs.Select(t => t.Shape.ToString()))})",
            checkedFunction, (Tensor[])inputs.Clone()).Forward();
    }

    private static Tensor[] CheckOutputs(string name, Tensor[]? outputs)
    {
        if (outputs is null) throw new ArgumentNullException(nameof(outputs), $"{name}: the function returned null");
        for (int i = 0; i < outputs.Length; i++)
            if (outputs[i] is null) throw new ArgumentNullException(nameof(outputs), $"{name}: the function returned null for output {i}");
        return outputs;
    }

    private static string Describe(Delegate function) =>
        function.Target is ModuleBase module ? $"checkpoint of {module.GetType().Name}"
        : $"checkpoint of {function.Method.DeclaringType?.Name}.{function.Method.Name}";
}
