using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla
{
    // Note [Piece gradients]
    // Split, Chunk and Unbind return views, one node per piece (a node has one output). A piece's rule puts its gradient
    // at its place in zeros of the input's shape, and the engine sums what the pieces deliver to the input (Note
    // [Engine]). Summing full-size tensors would make unbinding n rows and using them all cost O(n²), so the rule also
    // takes Note [Fast paths]'s TryAccumulateGrad: once the input's gradient is a buffer the engine owns (the first
    // piece's result is fresh and becomes the engine's: from the second piece on) or an existing leaf gradient, a piece
    // adds its gradient into its own block of it, O(piece). The result
    // equals the plain rule's: the elements outside the block only skip an addition of +0 (which would turn a -0
    // there into +0, the one difference).

    public sealed partial class Tensor
    {
        /// <summary>Splits into consecutive pieces of <paramref name="splitSize"/> along <paramref name="dim"/> (the last one smaller if it does not divide), like <c>torch.split</c>.</summary>
        /// <remarks>
        /// The pieces are views of this tensor. A dimension of size 0 gives one empty piece; <paramref name="splitSize"/> 0 is
        /// allowed only then. Pieces used together accumulate their gradients into this tensor's (Note [Piece gradients]).
        /// </remarks>
        /// <param name="splitSize">The size of every piece but the last (non-negative).</param>
        /// <param name="dim">The dimension to split (negative counts from the end).</param>
        public Tensor[] Split(int splitSize, int dim = 0)
        {
            int d = PieceDim(dim, "split"), n = Dims[d];
            if (splitSize < 0) throw new ArgumentException($"split: split_size must be non-negative, got {splitSize}", nameof(splitSize));
            if (splitSize == 0 && n > 0)
                throw new ArgumentException($"split: split_size can be 0 only when dimension {d} is empty, but it has size {n} (shape {Shape})", nameof(splitSize));
            int count = n == 0 ? 1 : (n - 1) / splitSize + 1;
            var sizes = new int[count];
            for (int i = 0; i < count; i++) sizes[i] = Math.Min(splitSize, n - i * splitSize);
            return Pieces(d, sizes, withSizes: false);
        }

        /// <summary>Splits into consecutive pieces of exactly the given sizes along <paramref name="dim"/>, like <c>torch.split</c> with a list.</summary>
        /// <remarks>
        /// The sizes are non-negative (0 gives an empty piece) and add up to the size of <paramref name="dim"/>. The pieces are
        /// views; pieces used together accumulate their gradients (Note [Piece gradients]).
        /// </remarks>
        /// <param name="splitSizes">The size of each piece.</param>
        /// <param name="dim">The dimension to split (negative counts from the end).</param>
        public Tensor[] Split(int[] splitSizes, int dim = 0)
        {
            ArgumentNullException.ThrowIfNull(splitSizes);
            int d = PieceDim(dim, "split");
            long sum = 0;
            foreach (int s in splitSizes)
            {
                if (s < 0) throw new ArgumentException($"split: split sizes must be non-negative, got {Shape.Format(splitSizes)}", nameof(splitSizes));
                sum += s;
            }
            if (sum != Dims[d])
                throw new ArgumentException(
                    $"split: split sizes {Shape.Format(splitSizes)} add up to {sum}, but dimension {d} has size {Dims[d]} (shape {Shape}); they must add up to it exactly",
                    nameof(splitSizes));
            return Pieces(d, (int[])splitSizes.Clone(), withSizes: true);
        }

        /// <summary>Splits into at most <paramref name="chunks"/> pieces of equal size along <paramref name="dim"/>, like <c>torch.chunk</c>.</summary>
        /// <remarks>
        /// Every piece has size <c>ceil(n / chunks)</c> but the last, which may be smaller, so there may be fewer than
        /// <paramref name="chunks"/> pieces (<c>n = 6, chunks = 4</c> gives sizes 2, 2, 2). A dimension of size 0 gives
        /// <paramref name="chunks"/> empty pieces. The pieces are views (Note [Piece gradients]).
        /// </remarks>
        /// <param name="chunks">The number of pieces wanted (positive).</param>
        /// <param name="dim">The dimension to split (negative counts from the end).</param>
        public Tensor[] Chunk(int chunks, int dim = 0)
        {
            int d = PieceDim(dim, "chunk"), n = Dims[d];
            if (chunks <= 0) throw new ArgumentException($"chunk: chunks must be positive, got {chunks}", nameof(chunks));
            if (n == 0) return Pieces(d, new int[chunks], withSizes: false);
            return Split((n - 1) / chunks + 1, d);
        }

        /// <summary>The slices along <paramref name="dim"/>, each without that dimension, like <c>torch.unbind</c>.</summary>
        /// <remarks>
        /// Piece <c>i</c> is <c>Select(dim, i)</c>, a view. Pieces used together accumulate their gradients (Note [Piece gradients]).
        /// </remarks>
        /// <param name="dim">The dimension to take apart (negative counts from the end).</param>
        public Tensor[] Unbind(int dim = 0)
        {
            int d = PieceDim(dim, "unbind");
            int[] dims = [.. Dims[..d], .. Dims[(d + 1)..]], strides = [.. StrideArray[..d], .. StrideArray[(d + 1)..]];
            bool record = Autograd.ShouldRecord(this), empty = Strided.Numel(dims) == 0;
            var pieces = new Tensor[Dims[d]];
            for (int i = 0; i < pieces.Length; i++)
            {
                pieces[i] = ViewOf(dims, strides, empty ? Offset : Offset + i * StrideArray[d]);
                if (record) pieces[i].SetGradFn(new Ops.UnbindBackward(this, d, i));
            }
            return pieces;
        }

        private int PieceDim(int dim, string op)
        {
            if (Rank == 0) throw new ArgumentException($"{op}: expected a tensor with at least one dimension, got a 0-d tensor (shape [])", nameof(dim));
            return NormalizeDim(dim, Rank, op);
        }

        private Tensor[] Pieces(int d, int[] sizes, bool withSizes)
        {
            bool record = Autograd.ShouldRecord(this);
            var pieces = new Tensor[sizes.Length];
            int start = 0;
            for (int i = 0; i < sizes.Length; i++)
            {
                var dims = (int[])Dims.Clone();
                dims[d] = sizes[i];
                // An empty piece keeps the tensor's offset: start·stride may point past the storage.
                pieces[i] = ViewOf(dims, StrideArray, Strided.Numel(dims) == 0 ? Offset : Offset + start * StrideArray[d]);
                if (record) pieces[i].SetGradFn(withSizes ? new Ops.SplitWithSizesBackward(this, d, start) : new Ops.SplitBackward(this, d, start));
                start += sizes[i];
            }
            return pieces;
        }

        /// <summary>
        /// Adds a piece's gradient into its block of <paramref name="into"/> (at <paramref name="start"/> along <paramref name="dim"/>;
        /// <paramref name="removed"/>: the piece lacks that dimension) and bumps the version; false, changing nothing, when the dtypes differ.
        /// </summary>
        internal static bool TryAddIntoBlock(Tensor into, Tensor grad, int dim, int start, bool removed)
        {
            if (into.DType != grad.DType || !into.DType.IsFloatingPoint() || into.RequiresGrad) return false;
            var dims = (int[])into.Dims.Clone();
            dims[dim] = removed ? 1 : grad.Dims[dim];
            int[] gradStrides = removed ? [.. grad.StrideArray[..dim], 0, .. grad.StrideArray[dim..]] : grad.StrideArray;
            int at = into.Offset + start * into.StrideArray[dim];
            if (into.DType == DType.Float32)
                Blocks.Move<float, AddMove<float>>(grad.Data<float>(), grad.Offset, gradStrides, into.Data<float>(), at, into.StrideArray, dims);
            else if (into.DType == DType.Float64)
                Blocks.Move<double, AddMove<double>>(grad.Data<double>(), grad.Offset, gradStrides, into.Data<double>(), at, into.StrideArray, dims);
            else if (into.DType == DType.BFloat16) // the sum rounded once, as the plain rule's add (Note [Half compute])
                Blocks.Move<BFloat16, HalfAddMove<BFloat16>>(grad.Data<BFloat16>(), grad.Offset, gradStrides, into.Data<BFloat16>(), at, into.StrideArray, dims);
            else
                Blocks.Move<Half, HalfAddMove<Half>>(grad.Data<Half>(), grad.Offset, gradStrides, into.Data<Half>(), at, into.StrideArray, dims);
            into.Storage.Version++;
            return true;
        }
    }
}

namespace Nabla.Ops
{
    // d piece/dx: the piece's gradient at the piece's place, zeros elsewhere (See Note [Piece gradients])
    internal abstract class PieceBackward : Node, IFastBackward
    {
        private readonly int[] _dims;
        private readonly int _dim, _start;
        private readonly bool _removed;

        protected PieceBackward(Tensor x, int dim, int start, bool removed) : base(x) => (_dims, _dim, _start, _removed) = (x.Dims, dim, start, removed);

        public override Tensor?[] Backward(Tensor g) => [Tensor.SliceScatter(_removed ? g.Unsqueeze(_dim) : g, _dims, _dim, _start, 1)];

        // SliceScatter makes a new tensor: the second piece on adds into the first one's (Note [Piece gradients]).
        internal override bool ReturnsFreshGradients => true;

        public Tensor?[]? BackwardInto(Tensor grad, Tensor?[] scratch, int accumulated) => accumulated != 0 ? scratch : null;

        public bool TryAccumulateGrad(int input, Tensor grad, Tensor into) => Tensor.TryAddIntoBlock(into, grad, _dim, _start, _removed);
    }

    internal sealed class SplitBackward(Tensor x, int dim, int start) : PieceBackward(x, dim, start, removed: false);

    internal sealed class SplitWithSizesBackward(Tensor x, int dim, int start) : PieceBackward(x, dim, start, removed: false);

    internal sealed class UnbindBackward(Tensor x, int dim, int index) : PieceBackward(x, dim, index, removed: true);
}
