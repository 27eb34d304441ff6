using Nabla.Graph;
using Nabla.Ops;

namespace Nabla.Diagnostics;

/// <summary>What a recorded graph keeps alive for its backward pass.</summary>
public static class GraphMemory
{
    /// <summary>
    /// The bytes of the distinct element arrays the graph of <paramref name="root"/> keeps for backward: the tensors
    /// its rules saved, and the inputs its checkpoints keep to recompute their segments (<see cref="Checkpoint"/>).
    /// Views of one array count once; parameters a rule saved count too, and so do the tensors saved inside composite ops
    /// (an op recorded as one node over its own graph, such as a 16-bit op computed in float32).
    /// </summary>
    /// <remarks>Measured between the forward and the backward, this is the activation memory gradient checkpointing
    /// saves (docs/scale.md §1). Walks the graph without recursion; changes nothing.</remarks>
    public static long SavedBytes(Tensor root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var arrays = new HashSet<Array>(ReferenceEqualityComparer.Instance);
        var seen = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<Node>();
        if (root.GradFn is { } fn) stack.Push(fn);
        while (stack.Count > 0)
        {
            Node node = stack.Pop();
            if (!seen.Add(node)) continue;
            for (int i = 0; i < node.SavedCount; i++)
                if (node.SavedEntry(i).Tensor is { } t) arrays.Add(t.Storage.Data);
            // A composite op's own graph hangs off its saved result, not its edges (Note [Composite ops]); what that
            // graph saved is held as long as the composite's node is.
            if (node is CompositeBackward && node.SavedCount > 0 && node.SavedEntry(0).Tensor?.GradFn is { } inner) stack.Push(inner);
            if (node.Frame?.HeldInputs is { } inputs)
                foreach (Tensor t in inputs) arrays.Add(t.Storage.Data);
            foreach (Edge e in node.Edges)
                if (e.Fn is { } next) stack.Push(next);
        }
        long bytes = 0;
        // Buffer.ByteLength refuses arrays of non-primitive structs such as BFloat16 and Half.
        foreach (Array a in arrays) bytes += a is BFloat16[] or Half[] ? 2L * a.LongLength : Buffer.ByteLength(a);
        return bytes;
    }
}
