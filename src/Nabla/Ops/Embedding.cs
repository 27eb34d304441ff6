using Nabla.Graph;

namespace Nabla
{
    public static partial class Functional
    {
        /// <summary>Looks up rows of an embedding table, like <c>torch.nn.functional.embedding</c>.</summary>
        /// <remarks>
        /// <c>out[..., :] = weight[input[...], :]</c>: <paramref name="input"/> is an int64 tensor of any rank (0-d included) with
        /// values in <c>[0, num_embeddings)</c>, <paramref name="weight"/> is <c>[num_embeddings, embedding_dim]</c>, and the result has shape
        /// <c>input.Shape + [embedding_dim]</c>. Repeated indices accumulate in the gradient of <paramref name="weight"/>. The row
        /// <paramref name="paddingIdx"/> (negative counts from the end) is still read in the forward pass but receives no gradient.
        /// </remarks>
        /// <param name="input">int64 row indices.</param>
        /// <param name="weight">The table, <c>[num_embeddings, embedding_dim]</c>.</param>
        /// <param name="paddingIdx">A row that gets no gradient, or null.</param>
        public static Tensor Embedding(Tensor input, Tensor weight, long? paddingIdx = null)
        {
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(weight);
            if (input.DType != DType.Int64)
                throw new ArgumentException(
                    $"embedding: expected input (indices) of dtype int64, got dtype {input.DType.Name()} (input shape {input.Shape}); convert with .To(DType.Int64)",
                    nameof(input));
            if (weight.Rank != 2)
                throw new ArgumentException($"embedding: expected weight of rank 2 [num_embeddings, embedding_dim], got shape {weight.Shape}", nameof(weight));
            Tensor.CheckFloat(weight, "embedding");
            int rows = weight.Dims[0], width = weight.Dims[1];
            long? pad = paddingIdx;
            if (pad is { } p)
            {
                if (p < -rows || p >= rows)
                    throw new ArgumentOutOfRangeException(nameof(paddingIdx),
                        $"embedding: padding_idx {p} is out of range for weight of shape {weight.Shape} (expected {-rows} to {rows - 1})");
                if (p < 0) pad = p + rows;
            }
            Tensor idx = Tensor.CheckedIndex(input, rows, "embedding", $"weight of shape {weight.Shape} ({rows} rows)");
            idx = idx.Reshape((int)idx.Numel);
            Tensor y = Tensor.IndexSelectRaw(weight, 0, idx, [(int)idx.Numel, width]).Reshape([.. input.Dims, width]);
            if (Autograd.ShouldRecord(weight)) y.SetGradFn(new Ops.EmbeddingBackward(weight, idx, pad));
            return y;
        }
    }
}

namespace Nabla.Ops
{
    // d weight[idx]/dweight: each output row's gradient is added back to its table row (repeats accumulate);
    // the padding row's share is masked out
    internal sealed class EmbeddingBackward : Node
    {
        private readonly int[] _weightDims;
        private readonly long? _paddingIdx;

        public EmbeddingBackward(Tensor weight, Tensor index, long? paddingIdx) : base(weight)
        {
            Save(index);
            (_weightDims, _paddingIdx) = (weight.Dims, paddingIdx);
        }

        public override Tensor?[] Backward(Tensor g)
        {
            Tensor index = Saved(0);
            int n = (int)index.Numel;
            Tensor rows = g.Reshape(n, _weightDims[1]);
            if (_paddingIdx is { } p)
                rows = rows * index.Ne(Tensor.Scalar(p, DType.Int64)).To(g.DType).Reshape(n, 1);
            return [Tensor.Zeros(_weightDims, g.DType).IndexAdd(0, index, rows)];
        }
    }
}
