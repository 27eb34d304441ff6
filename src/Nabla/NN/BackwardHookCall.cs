using Nabla.Graph;

namespace Nabla.NN;

// Note [Module backward hooks]
// PyTorch's full backward hook is called once per backward pass through a module call, with the gradients with respect
// to all of the call's tensor inputs and outputs at once, and may replace the input gradients. The engine's nodes have
// one output each, so one call's tensors are routed through identity nodes (named BackwardHookFunctionBackward, as in
// PyTorch) that share one collection point. One tensor: a single identity node. Several: each tensor gets its own
// identity node (its view of the data, no copy), whose rule stores the tensor's gradient and passes an empty [0]
// gradient to a common "gather" node over all of them; the engine runs the gather node once, after every identity node
// that received a gradient, and it hands each input its (possibly replaced) gradient. Inputs are wrapped before the
// module's forward and outputs after it, so the output gradients are known when the input gather node runs and calls
// the hooks; when no input requires a gradient, the output side calls them instead, with all input gradients null.
// Input tensors that require a gradient but got none receive zeros (as PyTorch's materialised gradients); outputs
// that got none are null.

/// <summary>One forward call of a module with full backward hooks: wraps its tensors and calls the hooks in backward.</summary>
internal sealed class BackwardHookCall(ModuleBase module, Func<ModuleBase, IReadOnlyList<Tensor?>, IReadOnlyList<Tensor?>, Tensor?[]?>[] hooks)
{
    private const string NodeName = "BackwardHookFunctionBackward";
    private int _inputCount;
    private int[] _inputPositions = [];
    private int[][] _inputDims = [];
    private int[] _outputPositions = [];
    private Tensor?[] _gradOutputs = [];

    /// <summary>The inputs with every tensor that requires a gradient replaced by an identity whose backward reports to this call.</summary>
    public object?[] WrapInputs(object?[] inputs)
    {
        _inputCount = inputs.Length;
        _inputPositions = [.. Enumerable.Range(0, inputs.Length).Where(i => inputs[i] is Tensor { RequiresGrad: true })];
        if (_inputPositions.Length == 0) return inputs;
        Tensor[] hooked = [.. _inputPositions.Select(i => (Tensor)inputs[i]!)];
        _inputDims = [.. hooked.Select(t => t.Dims)];
        Tensor[] wrapped = Wrap(hooked, OnInputGradients, zerosWhenMissing: true);
        var result = (object?[])inputs.Clone();
        for (int k = 0; k < wrapped.Length; k++) result[_inputPositions[k]] = wrapped[k];
        return result;
    }

    /// <summary>The output with every tensor that requires a gradient replaced by an identity that records its gradient.</summary>
    public object? WrapOutput(object? output)
    {
        List<Tensor> tensors = TensorTree.Flatten(output);
        _gradOutputs = new Tensor?[tensors.Count];
        _outputPositions = [.. Enumerable.Range(0, tensors.Count).Where(i => tensors[i].RequiresGrad)];
        if (_outputPositions.Length == 0) return output;
        Tensor[] wrapped = Wrap([.. _outputPositions.Select(i => tensors[i])], OnOutputGradients, zerosWhenMissing: false);
        for (int k = 0; k < wrapped.Length; k++) tensors[_outputPositions[k]] = wrapped[k];
        return TensorTree.Rebuild(output, tensors);
    }

    private Tensor?[] OnOutputGradients(Tensor?[] grads)
    {
        for (int k = 0; k < grads.Length; k++) _gradOutputs[_outputPositions[k]] = grads[k];
        if (_inputPositions.Length == 0) Fire(new Tensor?[_inputCount]);
        return grads;
    }

    private Tensor?[] OnInputGradients(Tensor?[] grads)
    {
        var gradInput = new Tensor?[_inputCount];
        for (int k = 0; k < grads.Length; k++) gradInput[_inputPositions[k]] = grads[k];
        if (Fire(gradInput) is not { } replaced) return grads;
        var result = new Tensor?[grads.Length];
        for (int k = 0; k < grads.Length; k++)
        {
            Tensor? g = replaced[_inputPositions[k]];
            if (g is not null && (!Kernels.Strided.SameDims(g.Dims, _inputDims[k]) || g.DType != grads[k]!.DType))
                throw new InvalidOperationException(
                    $"backward hook of {module.TypeName}: it returned a gradient of shape {g.Shape} and dtype {g.DType.Name()} for input {_inputPositions[k]}, " +
                    $"expected shape {Shape.Format(_inputDims[k])} and dtype {grads[k]!.DType.Name()}");
            result[k] = g;
        }
        return result;
    }

    /// <summary>Calls the hooks in order, each seeing the input gradients the previous one returned; the last replacement, or null.</summary>
    private Tensor?[]? Fire(Tensor?[] gradInput)
    {
        Tensor?[] gradOutput = (Tensor?[])_gradOutputs.Clone();
        Array.Clear(_gradOutputs);
        Tensor?[]? current = null;
        foreach (var hook in hooks)
        {
            if (hook(module, current ?? gradInput, gradOutput) is not { } next) continue;
            if (next.Length != gradInput.Length)
                throw new InvalidOperationException($"backward hook of {module.TypeName}: it returned {next.Length} input gradients, expected {gradInput.Length} (one per input, null where none)");
            current = next;
        }
        return current;
    }

    private static Tensor[] Wrap(Tensor[] tensors, Func<Tensor?[], Tensor?[]> onGradients, bool zerosWhenMissing)
    {
        if (tensors.Length == 1) return [Autograd.Record(tensors[0].Detach(), new Pass(tensors[0], onGradients))];
        var received = new Tensor?[tensors.Length];
        Tensor hub = Autograd.Record(Tensor.Zeros([0], DType.Float32), new Gather(tensors, received, onGradients, zerosWhenMissing));
        var wrapped = new Tensor[tensors.Length];
        for (int i = 0; i < tensors.Length; i++) wrapped[i] = Autograd.Record(tensors[i].Detach(), new Scatter(hub, i, received));
        return wrapped;
    }

    /// <summary>The identity of one hooked tensor: hands its gradient to the call.</summary>
    private sealed class Pass(Tensor x, Func<Tensor?[], Tensor?[]> onGradients) : Node(NodeName, x)
    {
        // d x / d x = I: the gradient passes through (or the hook's replacement does).
        public override Tensor?[] Backward(Tensor grad) => onGradients([grad]);
    }

    /// <summary>The identity of one of several hooked tensors: keeps its gradient for the gather node.</summary>
    private sealed class Scatter(Tensor hub, int index, Tensor?[] received) : Node(NodeName, hub)
    {
        public override Tensor?[] Backward(Tensor grad)
        {
            received[index] = grad;
            return [Tensor.Zeros([0], DType.Float32)];
        }
    }

    /// <summary>The collection point of several hooked tensors: runs once after all of their identities.</summary>
    private sealed class Gather : Node
    {
        private readonly Tensor?[] _received;
        private readonly (int[] Dims, DType DType)[] _inputs;
        private readonly Func<Tensor?[], Tensor?[]> _onGradients;
        private readonly bool _zerosWhenMissing;

        public Gather(Tensor[] tensors, Tensor?[] received, Func<Tensor?[], Tensor?[]> onGradients, bool zerosWhenMissing) : base(NodeName, tensors)
        {
            _received = received;
            _inputs = [.. tensors.Select(t => (t.Dims, t.DType))];
            _onGradients = onGradients;
            _zerosWhenMissing = zerosWhenMissing;
        }

        public override Tensor?[] Backward(Tensor grad)
        {
            var grads = new Tensor?[_received.Length];
            for (int i = 0; i < grads.Length; i++)
                grads[i] = _received[i] ?? (_zerosWhenMissing ? Tensor.Zeros(_inputs[i].Dims, _inputs[i].DType) : null);
            Array.Clear(_received);
            return _onGradients(grads);
        }
    }
}
