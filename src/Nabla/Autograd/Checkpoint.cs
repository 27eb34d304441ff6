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
/// <para>Mechanism: Note [Checkpoint frames] (<c>src/Nabla/Autograd/CheckpointFrame.cs</c>); docs/scale.md §1.</para>
/// </remarks>
/// <example><code>
/// Tensor h = x;
/// foreach (GptBlock block in blocks) h = Checkpoint.Run(block, h);   // each block a segment
/// loss = Head(h); loss.Backward();                                    // recomputes block by block
/// </code></example>
public static class Checkpoint
{
    /// <summary>Runs <paramref name="function"/> on <paramref name="input"/> as a checkpointed segment (<c>checkpoint(fn, x, use_reentrant=False)</c>).</summary>
    /// <param name="function">The segment; it must do the same operations on every call.</param>
    /// <param name="input">Its input.</param>
    /// <param name="preserveRngState">Set the generators the segment drew from back before recomputing it (PyTorch's
    /// <c>preserve_rng_state</c>, default true); false saves nothing measurable here and makes random ops in the segment
    /// (dropout) draw new values in the recomputation, so the gradients are no longer those of the forward.</param>
    /// <exception cref="ArgumentNullException">An argument is null, or the function returned null.</exception>
    public static Tensor Run(Func<Tensor, Tensor> function, Tensor input, bool preserveRngState = true)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Run(Describe(function), xs => [function(xs[0])], [input], preserveRngState)[0];
    }

    /// <summary>Runs <paramref name="function"/> on two inputs as a checkpointed segment.</summary>
    /// <param name="function">The segment; it must do the same operations on every call.</param>
    /// <param name="input1">Its first input.</param>
    /// <param name="input2">Its second input.</param>
    /// <param name="preserveRngState">As in <see cref="Run(Func{Tensor, Tensor}, Tensor, bool)"/>.</param>
    /// <exception cref="ArgumentNullException">An argument is null, or the function returned null.</exception>
    public static Tensor Run(Func<Tensor, Tensor, Tensor> function, Tensor input1, Tensor input2, bool preserveRngState = true)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Run(Describe(function), xs => [function(xs[0], xs[1])], [input1, input2], preserveRngState)[0];
    }

    /// <summary>Runs <paramref name="module"/>'s forward on <paramref name="input"/> as a checkpointed segment (<c>checkpoint(module, x)</c>).</summary>
    /// <param name="module">The segment.</param>
    /// <param name="input">Its input.</param>
    /// <param name="preserveRngState">As in <see cref="Run(Func{Tensor, Tensor}, Tensor, bool)"/>.</param>
    /// <exception cref="ArgumentNullException">An argument is null, or the module returned null.</exception>
    public static Tensor Run(Module module, Tensor input, bool preserveRngState = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        return Run($"checkpoint of {module.GetType().Name}", xs => [module.Forward(xs[0])], [input], preserveRngState)[0];
    }

    /// <summary>
    /// Runs <paramref name="function"/> on any number of inputs, returning any number of outputs, as a checkpointed
    /// segment: <c>checkpoint(fn, *args)</c> for a function of several tensors that returns a tuple.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument or input is null, or the function returned null or a null output.</exception>
    public static Tensor[] Run(Func<Tensor[], Tensor[]> function, params Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Run(Describe(function), function, inputs, preserveRngState: true);
    }

    /// <summary>As <see cref="Run(Func{Tensor[], Tensor[]}, Tensor[])"/>, choosing whether generators are set back (<see cref="Run(Func{Tensor, Tensor}, Tensor, bool)"/>).</summary>
    /// <exception cref="ArgumentNullException">An argument or input is null, or the function returned null or a null output.</exception>
    public static Tensor[] Run(Func<Tensor[], Tensor[]> function, Tensor[] inputs, bool preserveRngState)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Run(Describe(function), function, inputs, preserveRngState);
    }

    /// <summary>
    /// Runs <paramref name="modules"/> in order on <paramref name="input"/> split into <paramref name="segments"/>
    /// segments of <c>modules.Count / segments</c> modules, each checkpointed but the last, which runs plainly and takes
    /// the remainder: PyTorch's <c>checkpoint_sequential(functions, segments, input, use_reentrant=False)</c>.
    /// </summary>
    /// <remarks>The last segment is not checkpointed because backward starts there: its activations are needed at once,
    /// and recomputing them would cost a forward and save nothing.</remarks>
    /// <exception cref="ArgumentNullException">An argument or module is null.</exception>
    /// <param name="modules">The modules, run in order.</param>
    /// <param name="segments">The number of segments, from 1 to <c>modules.Count</c>.</param>
    /// <param name="input">The first module's input.</param>
    /// <param name="preserveRngState">As in <see cref="Run(Func{Tensor, Tensor}, Tensor, bool)"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="segments"/> is not in <c>[1, modules.Count]</c>.</exception>
    public static Tensor Sequential(IReadOnlyList<Module> modules, int segments, Tensor input, bool preserveRngState = true)
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
            x = Run($"checkpoint of segment {s} (modules {start}..{end - 1})", xs => [RunModules(modules, start, end, xs[0])], [x], preserveRngState)[0];
        }
        return RunModules(modules, (segments - 1) * size, modules.Count, x);
    }

    /// <summary><see cref="Sequential(IReadOnlyList{Module}, int, Tensor, bool)"/> over the modules of a <see cref="NN.Sequential"/>.</summary>
    public static Tensor Sequential(NN.Sequential modules, int segments, Tensor input, bool preserveRngState = true)
    {
        ArgumentNullException.ThrowIfNull(modules);
        var list = new Module[modules.Count];
        for (int i = 0; i < list.Length; i++) list[i] = modules[i];
        return Sequential(list, segments, input, preserveRngState);
    }

    private static Tensor RunModules(IReadOnlyList<Module> modules, int start, int end, Tensor x)
    {
        for (int i = start; i < end; i++) x = modules[i].Forward(x);
        return x;
    }

    private static Tensor[] Run(string name, Func<Tensor[], Tensor[]> function, Tensor[] inputs, bool preserveRngState)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        for (int i = 0; i < inputs.Length; i++)
            if (inputs[i] is null) throw new ArgumentNullException(nameof(inputs), $"{name}: input {i} is null");
        Func<Tensor[], Tensor[]> checkedFunction = xs => CheckOutputs(name, function(xs));
        if (!Autograd.IsGradEnabled) return checkedFunction(inputs);
        return new CheckpointFrame(name, checkedFunction, (Tensor[])inputs.Clone(), preserveRngState).Forward();
    }

    private static Tensor[] CheckOutputs(string name, Tensor[]? outputs)
    {
        if (outputs is null) throw new ArgumentNullException(nameof(outputs), $"{name}: the function returned null");
        for (int i = 0; i < outputs.Length; i++)
            if (outputs[i] is null) throw new ArgumentNullException(nameof(outputs), $"{name}: the function returned null for output {i}");
        return outputs;
    }

    /// <summary>Names a checkpoint in messages: the module, the method, or for a lambda the method it was written in.</summary>
    private static string Describe(Delegate function)
    {
        if (function.Target is ModuleBase module) return $"checkpoint of {module.GetType().Name}";
        string method = function.Method.Name;
        Type? type = function.Method.DeclaringType;
        while (type is not null && type.Name.StartsWith('<')) type = type.DeclaringType;
        int close = method.IndexOf('>');
        return method.StartsWith('<') && close > 1
            ? $"checkpoint of a lambda in {type?.Name}.{method[1..close]}"
            : $"checkpoint of {type?.Name}.{method}";
    }
}
