using Nabla.Graph;

namespace Nabla;

/// <summary>Global switches and functional entry points of the autograd engine.</summary>
public static class Autograd
{
    [ThreadStatic] private static int t_noGradDepth;

    /// <summary>True when operations on the current thread are being recorded.</summary>
    public static bool IsGradEnabled => t_noGradDepth == 0;

    /// <summary>Disables recording on the current thread until the returned scope is disposed.</summary>
    /// <example><code>using (Autograd.NoGrad()) { w.SubInPlace(w.Grad! * lr); }</code></example>
    public static IDisposable NoGrad()
    {
        t_noGradDepth++;
        return new Scope(static () => t_noGradDepth--);
    }

    /// <summary>Re-enables recording on the current thread (inside a <see cref="NoGrad"/> scope) until disposed.</summary>
    public static IDisposable EnableGrad()
    {
        int saved = t_noGradDepth;
        t_noGradDepth = 0;
        return new Scope(() => t_noGradDepth = saved);
    }

    internal static bool ShouldRecord(Tensor a) => a.RequiresGrad && IsGradEnabled;

    internal static bool ShouldRecord(Tensor a, Tensor b) => (a.RequiresGrad || b.RequiresGrad) && IsGradEnabled;

    internal static bool ShouldRecord(ReadOnlySpan<Tensor?> ts)
    {
        if (!IsGradEnabled) return false;
        foreach (var t in ts) if (t is not null && t.RequiresGrad) return true;
        return false;
    }

    /// <summary>
    /// Computes and returns the gradients of <paramref name="outputs"/> with respect to <paramref name="inputs"/>
    /// without touching any tensor's <see cref="Tensor.Grad"/>.
    /// </summary>
    /// <param name="outputs">Tensors to differentiate.</param>
    /// <param name="inputs">Tensors to differentiate with respect to (leaves or intermediate results).</param>
    /// <param name="gradOutputs">Upstream gradients, one per output; may be omitted for one-element outputs.</param>
    /// <param name="createGraph">Record the backward pass, so the results can be differentiated again.</param>
    /// <param name="retainGraph">Keep the graph for another backward pass (defaults to <paramref name="createGraph"/>).</param>
    /// <param name="allowUnused">Return null for an input the outputs do not depend on instead of throwing.</param>
    public static Tensor?[] Grad(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor> inputs,
        IReadOnlyList<Tensor>? gradOutputs = null, bool createGraph = false, bool? retainGraph = null, bool allowUnused = false)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(inputs);
        for (int i = 0; i < inputs.Count; i++)
            if (!inputs[i].RequiresGrad)
                throw new ArgumentException($"grad: input {i} (shape {inputs[i].Shape}) does not require a gradient");
        var result = Engine.Run(outputs, gradOutputs, retainGraph ?? createGraph, createGraph, inputs);
        for (int i = 0; i < result.Length; i++)
            if (result[i] is null && !allowUnused)
                throw new InvalidOperationException(
                    $"grad: input {i} (shape {inputs[i].Shape}) was not used to compute the outputs; pass allowUnused: true to get null for it");
        return result;
    }

    /// <summary>Single-output, single-input form of <see cref="Grad(IReadOnlyList{Tensor}, IReadOnlyList{Tensor}, IReadOnlyList{Tensor}?, bool, bool?, bool)"/>.</summary>
    public static Tensor Grad(Tensor output, Tensor input, Tensor? gradOutput = null, bool createGraph = false)
        => Grad([output], [input], gradOutput is null ? null : [gradOutput], createGraph)[0]!;

    private sealed class Scope(Action onDispose) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            onDispose();
        }
    }
}
