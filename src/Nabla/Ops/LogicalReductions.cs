using Nabla.Kernels;

namespace Nabla
{
    public sealed partial class Tensor
    {
        /// <summary>Whether any element is true (non-zero; NaN counts), like <c>torch.any(input)</c>: a 0-d bool tensor.</summary>
        public Tensor Any() => Any((int[]?)null);

        /// <summary>Whether any element along <paramref name="dim"/> is true (non-zero), like <c>torch.any(input, dim, keepdim)</c>.</summary>
        public Tensor Any(int dim, bool keepDim = false) => Any([dim], keepDim);

        /// <summary>Whether any element over <paramref name="dims"/> (all when null) is true (non-zero); bool result, false over an empty group.</summary>
        /// <remarks>Every dtype is read as truth (0 is false, anything else, NaN included, true); never recorded.</remarks>
        public Tensor Any(int[]? dims, bool keepDim = false) => LogicalReduce(dims, keepDim, any: true);

        /// <summary>Whether every element is true (non-zero), like <c>torch.all(input)</c>: a 0-d bool tensor.</summary>
        public Tensor All() => All((int[]?)null);

        /// <summary>Whether every element along <paramref name="dim"/> is true (non-zero), like <c>torch.all(input, dim, keepdim)</c>.</summary>
        public Tensor All(int dim, bool keepDim = false) => All([dim], keepDim);

        /// <summary>Whether every element over <paramref name="dims"/> (all when null) is true (non-zero); bool result, true over an empty group.</summary>
        /// <remarks>The truth rule of <see cref="Any(int[], bool)"/>; never recorded.</remarks>
        public Tensor All(int[]? dims, bool keepDim = false) => LogicalReduce(dims, keepDim, any: false);

        /// <summary>The number of non-zero elements over <paramref name="dims"/> (all when null), like <c>torch.count_nonzero</c>: int64.</summary>
        /// <remarks>A bool tensor counts its true elements; NaN is non-zero. The reduced dims are removed (PyTorch has no keepdim here).</remarks>
        public Tensor CountNonzero(int[]? dims = null)
        {
            ReduceMask(dims, "count_nonzero");
            using (Autograd.NoGrad()) return Truth().Sum(dims);
        }

        /// <summary>The number of non-zero elements along <paramref name="dim"/>: see <see cref="CountNonzero(int[])"/>.</summary>
        public Tensor CountNonzero(int dim) => CountNonzero([dim]);

        private Tensor LogicalReduce(int[]? dims, bool keepDim, bool any)
        {
            bool[] mask = ReduceMask(dims, any ? "any" : "all");
            return Truth().ReduceAxis<bool, LogicalReduction>(mask, keepDim, new(any), DType.Bool);
        }

        /// <summary>This tensor as bool (non-zero is true), unrecorded; itself when already bool.</summary>
        private Tensor Truth()
        {
            if (DType == DType.Bool) return this;
            using (Autograd.NoGrad()) return DType == DType.Int64 ? Ne(0L) : Ne(0.0);
        }
    }
}
