namespace Nabla.Graph;

// Note [Fast paths]
// Every rule is plain Backward (Note [Backward rules]). A rule whose plain form a benchmark shows to cost also
// implements this interface, with results bit for bit those of Backward:
//  * BackwardInto (AddBackward, SubBackward, MulBackward, NegBackward, TanhBackward, ReluBackward, the rules graphs of
//    0-d tensors run most) writes the gradients into an engine-owned array instead of allocating one per node;
//  * TryAccumulateGrad (MulBackward) adds g·other straight into the input's gradient sum (an engine-owned buffer or an
//    existing leaf gradient) instead of making the product a tensor first; the engine offers each destination before
//    BackwardInto and passes the inputs it took as a bit mask, which the rule then skips;
//  * ReturnBuffers (MaxPool2DWithIndicesBackward) gives its pooled index buffer back when the graph is released, so a
//    training loop does not map a fresh multi-megabyte array every step.
// The engine uses the first two only without createGraph (sums there are recorded ops) and outside anomaly mode (which
// inspects every gradient). Figures: docs/benchmarks.md, "Per-op overhead".

/// <summary>The optional fast paths of a backward rule (see Note [Fast paths]); each member has a neutral default.</summary>
internal interface IFastBackward
{
    /// <summary>
    /// As <see cref="Node.Backward"/>, written into <paramref name="scratch"/> (an array of the node's arity, all null,
    /// read by the engine before the next node runs); inputs whose bit is set in <paramref name="accumulated"/> were
    /// already added into their destination by <see cref="TryAccumulateGrad"/> and stay null. Null: use Backward.
    /// </summary>
    Tensor?[]? BackwardInto(Tensor grad, Tensor?[] scratch, int accumulated) => null;

    /// <summary>
    /// Adds the gradient for <paramref name="input"/> into <paramref name="into"/> (of the input's shape) when that is
    /// exactly what computing it and then adding it would do, and returns true; returns false (nothing changed) otherwise.
    /// </summary>
    bool TryAccumulateGrad(int input, Tensor grad, Tensor into) => false;

    /// <summary>Returns pooled buffers the rule holds; called once, when the node is released.</summary>
    void ReturnBuffers() { }
}
