using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla
{
    public sealed partial class Tensor
    {
        /// <summary>Reverses the order of the elements along every dimension in <paramref name="dims"/>, like <c>torch.flip</c>.</summary>
        /// <remarks>
        /// <c>out[..., i, ...] = this[..., n - 1 - i, ...]</c> along each listed dimension (negative dims count from the end; a
        /// dimension may appear once). A copy, as in PyTorch; its gradient is the gradient flipped the same way.
        /// </remarks>
        /// <param name="dims">The dimensions to reverse; none gives a copy.</param>
        public Tensor Flip(params int[] dims)
        {
            ArgumentNullException.ThrowIfNull(dims);
            bool[] flipped = DimSet(dims, "flip");
            var y = Empty(DType, (int[])Dims.Clone());
            var strides = (int[])StrideArray.Clone();
            int offset = Offset;
            // NOTE: a reversed last dimension is copied forwards and then reversed in place, so that rows move as blocks.
            bool reverseRows = Rank > 0 && flipped[Rank - 1] && Dims[Rank - 1] > 1;
            for (int d = 0; d < Rank - (reverseRows ? 1 : 0); d++)
            {
                if (!flipped[d] || Dims[d] == 0) continue;
                offset += (Dims[d] - 1) * strides[d];
                strides[d] = -strides[d];
            }
            MoveRaw(this, offset, strides, y, y.Offset, y.StrideArray, Dims);
            if (reverseRows) ReverseRowsRaw(y, Dims[Rank - 1]);
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.FlipBackward(this, [.. dims]));
            return y;
        }

        /// <summary>Rolls the elements along <paramref name="dim"/> by <paramref name="shifts"/> positions, like <c>torch.roll</c>.</summary>
        /// <remarks>
        /// <c>out[(j + shifts) mod n] = this[j]</c>: elements leaving one end come back at the other; negative shifts roll
        /// the other way and shifts beyond <c>n</c> wrap. With <paramref name="dim"/> null the tensor is rolled as if flattened
        /// (row-major) and given its shape back.
        /// </remarks>
        /// <param name="shifts">Positions to roll by.</param>
        /// <param name="dim">The dimension to roll along, or null for the flattened tensor.</param>
        public Tensor Roll(int shifts, int? dim = null) => Roll([shifts], dim is { } d ? [d] : null);

        /// <summary>Rolls along several dimensions at once, <c>shifts[i]</c> along <c>dims[i]</c>, like <c>torch.roll</c>.</summary>
        /// <remarks>
        /// The lists pair up and must have one length; a dimension listed twice rolls by the sum of its shifts. With
        /// <paramref name="dims"/> null, <paramref name="shifts"/> holds one shift for the flattened tensor (see
        /// <see cref="Roll(int, int?)"/>). The gradient rolls back by the opposite shifts.
        /// </remarks>
        /// <param name="shifts">Positions to roll by, one per entry of <paramref name="dims"/>.</param>
        /// <param name="dims">The dimensions, or null for the flattened tensor.</param>
        public Tensor Roll(int[] shifts, int[]? dims = null)
        {
            ArgumentNullException.ThrowIfNull(shifts);
            if (shifts.Length == 0) throw new ArgumentException("roll: expected at least one shift, got none", nameof(shifts));
            Tensor src = this;
            int[] shape = Dims;
            var total = new long[Math.Max(Rank, 1)];
            if (dims is null)
            {
                if (shifts.Length != 1)
                    throw new ArgumentException(
                        $"roll: without dims the flattened tensor rolls by one shift, got {shifts.Length} shifts {Shape.Format(shifts)}; pass one dim per shift", nameof(shifts));
                src = ContiguousData();
                shape = [(int)Numel];
                total[0] = shifts[0];
            }
            else
            {
                if (dims.Length != shifts.Length)
                    throw new ArgumentException(
                        $"roll: shifts and dims pair up, but got {shifts.Length} shifts {Shape.Format(shifts)} and {dims.Length} dims {Shape.Format(dims)}", nameof(dims));
                if (Rank == 0)
                    throw new ArgumentException($"roll: a 0-d tensor has no dimension {dims[0]} to roll along; pass dims: null to roll it flattened", nameof(dims));
                for (int i = 0; i < dims.Length; i++) total[NormalizeDim(dims[i], Rank, "roll")] += shifts[i];
            }
            int[] srcStrides = dims is null ? [1] : StrideArray;
            var y = Empty(DType, (int[])Dims.Clone());
            int[] yStrides = Strided.ContiguousStrides(shape);
            var rolled = new List<int>();
            var by = new int[shape.Length];
            for (int d = 0; d < shape.Length; d++)
            {
                if (shape[d] == 0) continue;
                by[d] = (int)(((total[d] % shape[d]) + shape[d]) % shape[d]);
                if (by[d] != 0) rolled.Add(d);
            }
            // Every rolled dimension splits into two blocks: [0, n - s) moves to [s, n) and [n - s, n) to [0, s).
            for (int combo = 0; combo < 1 << rolled.Count; combo++)
            {
                var block = (int[])shape.Clone();
                int from = src.Offset, to = y.Offset;
                for (int j = 0; j < rolled.Count; j++)
                {
                    int d = rolled[j], n = shape[d], s = by[d];
                    if ((combo >> j & 1) == 0)
                    {
                        block[d] = n - s;
                        to += s * yStrides[d];
                    }
                    else
                    {
                        block[d] = s;
                        from += (n - s) * srcStrides[d];
                    }
                }
                MoveRaw(src, from, srcStrides, y, to, yStrides, block);
            }
            if (Autograd.ShouldRecord(this))
            {
                // The gradient rolls back: by -s along every rolled dimension (s in [0, n), so negating is safe).
                int[] back = rolled.Count == 0 ? [0] : [.. rolled.Select(d => -by[d])];
                int[]? backDims = dims is null ? null : rolled.Count == 0 ? [0] : [.. rolled];
                y.SetGradFn(new Ops.RollBackward(this, back, backDims));
            }
            return y;
        }

        /// <summary>Tiles the tensor <c>repeats[i]</c> times along each dimension, like <c>Tensor.repeat</c> in PyTorch.</summary>
        /// <remarks>
        /// <paramref name="repeats"/> has at least one entry per dimension; extra leading entries add leading dimensions (the
        /// tensor is viewed with size-1 dimensions prepended). <c>out.Shape[i] = shape[i]·repeats[i]</c> and
        /// <c>out[i0, i1, ...] = this[i0 mod shape0, i1 mod shape1, ...]</c>: whole copies one after the other, not interleaved
        /// (that is <see cref="RepeatInterleave"/>). A 0-d tensor is allowed. The gradient sums the copies.
        /// </remarks>
        /// <param name="repeats">Non-negative copies per dimension.</param>
        public Tensor Repeat(params int[] repeats)
        {
            ArgumentNullException.ThrowIfNull(repeats);
            if (repeats.Length < Rank)
                throw new ArgumentException(
                    $"repeat: got {repeats.Length} repeats {Shape.Format(repeats)} for a tensor of shape {Shape}; expected at least one per dimension ({Rank}), extra leading ones add dimensions",
                    nameof(repeats));
            foreach (int r in repeats)
                if (r < 0) throw new ArgumentException($"repeat: repeats must be non-negative, got {Shape.Format(repeats)}", nameof(repeats));
            int count = repeats.Length, lead = count - Rank;
            var outDims = new long[count];
            var shape = new int[2 * count];
            var srcStrides = new int[2 * count];
            for (int i = 0; i < count; i++)
            {
                int size = i < lead ? 1 : Dims[i - lead];
                outDims[i] = (long)size * repeats[i];
                (shape[2 * i], shape[2 * i + 1]) = (repeats[i], size);
                srcStrides[2 * i + 1] = i < lead ? 0 : StrideArray[i - lead];
            }
            var y = Empty(DType, ResultDims(outDims, "repeat"));
            var dstStrides = new int[2 * count];
            for (int i = 0; i < count; i++) (dstStrides[2 * i], dstStrides[2 * i + 1]) = (shape[2 * i + 1] * y.StrideArray[i], y.StrideArray[i]);
            MoveRaw(this, Offset, srcStrides, y, y.Offset, dstStrides, shape);
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.RepeatBackward(this, [.. repeats]));
            return y;
        }

        /// <summary>Tiles the tensor, like <c>torch.tile</c>: <see cref="Repeat"/> after prepending 1s to <paramref name="dims"/> when it is shorter than the rank.</summary>
        /// <param name="dims">Non-negative copies per trailing dimension.</param>
        public Tensor Tile(params int[] dims)
        {
            ArgumentNullException.ThrowIfNull(dims);
            if (dims.Length >= Rank) return Repeat(dims);
            var repeats = new int[Rank];
            Array.Fill(repeats, 1);
            dims.CopyTo(repeats, Rank - dims.Length);
            return Repeat(repeats);
        }

        /// <summary>Repeats every element <paramref name="repeats"/> times in a row along <paramref name="dim"/>, like <c>torch.repeat_interleave</c>.</summary>
        /// <remarks>
        /// <c>[a, b]</c> becomes <c>[a, a, b, b]</c> for 2 repeats: along <paramref name="dim"/> the size is multiplied by
        /// <paramref name="repeats"/> and <c>out[..., i, ...] = this[..., i / repeats, ...]</c>. With <paramref name="dim"/> null the
        /// tensor is flattened (row-major) first and the result is 1-D. The gradient sums each element's copies.
        /// </remarks>
        /// <param name="repeats">Non-negative copies of each element.</param>
        /// <param name="dim">The dimension, or null for the flattened tensor.</param>
        public Tensor RepeatInterleave(int repeats, int? dim = null)
        {
            if (repeats < 0) throw new ArgumentException($"repeat_interleave: repeats must be non-negative, got {repeats}", nameof(repeats));
            if (dim is { } given && Rank == 0)
                throw new ArgumentException($"repeat_interleave: a 0-d tensor has no dimension {given}; pass dim: null to repeat its element", nameof(dim));
            Tensor src = dim is null ? ContiguousData() : this;
            int[] srcDims = dim is null ? [(int)Numel] : Dims, srcStrides = dim is null ? [1] : StrideArray;
            int d = dim is { } dd ? NormalizeDim(dd, Rank, "repeat_interleave") : 0;
            var outDims = srcDims.Select(v => (long)v).ToArray();
            outDims[d] *= repeats;
            var y = Empty(DType, ResultDims(outDims, "repeat_interleave"));
            int[] shape = [.. srcDims[..(d + 1)], repeats, .. srcDims[(d + 1)..]];
            int[] strides = [.. srcStrides[..(d + 1)], 0, .. srcStrides[(d + 1)..]];
            MoveRaw(src, src.Offset, strides, y, y.Offset, Strided.ContiguousStrides(shape), shape);
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.RepeatInterleaveBackward(this, shape, d + 1));
            return y;
        }

        /// <summary>The lower triangle of the last two dimensions, like <c>torch.tril</c>: keeps <c>this[..., i, j]</c> where <c>j - i &lt;= diagonal</c>, zeroes the rest.</summary>
        /// <remarks>
        /// For a tensor of rank 2 or more (a batch of matrices). <paramref name="diagonal"/> 0 is the main diagonal, positive
        /// values move the border above it and negative values below. The gradient is the upstream gradient's lower triangle.
        /// </remarks>
        /// <param name="diagonal">Which diagonal bounds the kept part.</param>
        public Tensor Tril(int diagonal = 0) => Triangle(diagonal, lower: true, "tril");

        /// <summary>The upper triangle of the last two dimensions, like <c>torch.triu</c>: keeps <c>this[..., i, j]</c> where <c>j - i &gt;= diagonal</c>, zeroes the rest.</summary>
        /// <remarks>See <see cref="Tril"/>; the gradient is the upstream gradient's upper triangle.</remarks>
        /// <param name="diagonal">Which diagonal bounds the kept part.</param>
        public Tensor Triu(int diagonal = 0) => Triangle(diagonal, lower: false, "triu");

        private Tensor Triangle(int diagonal, bool lower, string op)
        {
            if (Rank < 2)
                throw new ArgumentException($"{op}: expected a tensor with at least 2 dimensions (a matrix or a batch of them), got shape {Shape}");
            Tensor src = ContiguousData();
            var y = Empty(DType, (int[])Dims.Clone());
            int rows = Dims[^2], cols = Dims[^1], batch = 1;
            for (int d = 0; d < Rank - 2; d++) batch *= Dims[d];
            switch (DType)
            {
                case DType.Float32: Blocks.Triangle(src.Data<float>(), src.Offset, y.Data<float>(), batch, rows, cols, diagonal, lower); break;
                case DType.Float64: Blocks.Triangle(src.Data<double>(), src.Offset, y.Data<double>(), batch, rows, cols, diagonal, lower); break;
                case DType.Int64: Blocks.Triangle(src.Data<long>(), src.Offset, y.Data<long>(), batch, rows, cols, diagonal, lower); break;
                case DType.Bool: Blocks.Triangle(src.Data<bool>(), src.Offset, y.Data<bool>(), batch, rows, cols, diagonal, lower); break;
                case DType.BFloat16: Blocks.Triangle(src.Data<BFloat16>(), src.Offset, y.Data<BFloat16>(), batch, rows, cols, diagonal, lower); break;
                case DType.Float16: Blocks.Triangle(src.Data<Half>(), src.Offset, y.Data<Half>(), batch, rows, cols, diagonal, lower); break;
                default: throw DTypeExtensions.Unknown(DType);
            }
            if (Autograd.ShouldRecord(this)) y.SetGradFn(lower ? new Ops.TrilBackward(this, diagonal) : new Ops.TriuBackward(this, diagonal));
            return y;
        }

        /// <summary>The set of dimensions named by <paramref name="dims"/> (negative count from the end), each at most once.</summary>
        private bool[] DimSet(int[] dims, string op)
        {
            var set = new bool[Math.Max(Rank, 1)];
            foreach (int dim in dims)
            {
                int d = NormalizeDim(dim, Rank, op);
                if (set[d]) throw new ArgumentException($"{op}: dimension {d} appears more than once in dims {Shape.Format(dims)}", nameof(dims));
                set[d] = true;
            }
            return set;
        }

        /// <summary>The dims of a result, after checking that it fits in one tensor.</summary>
        internal static int[] ResultDims(long[] dims, string op)
        {
            double numel = 1;
            foreach (long d in dims) numel *= d;
            if (numel > Array.MaxLength || dims.Any(d => d > int.MaxValue))
                throw new ArgumentException(
                    $"{op}: the result would have shape [{string.Join(", ", dims)}] ({numel:G4} elements), more than one tensor can hold ({Array.MaxLength})");
            return [.. dims.Select(d => (int)d)];
        }

        /// <summary>
        /// Moves <paramref name="shape"/> elements from <paramref name="src"/>'s storage at <paramref name="srcOffset"/> and
        /// <paramref name="srcStrides"/> into <paramref name="dst"/>'s (same dtype); unrecorded. See Note [Block moves].
        /// </summary>
        internal static void MoveRaw(Tensor src, int srcOffset, int[] srcStrides, Tensor dst, int dstOffset, int[] dstStrides, int[] shape)
        {
            switch (src.DType)
            {
                case DType.Float32: Blocks.Copy(src.Data<float>(), srcOffset, srcStrides, dst.Data<float>(), dstOffset, dstStrides, shape); break;
                case DType.Float64: Blocks.Copy(src.Data<double>(), srcOffset, srcStrides, dst.Data<double>(), dstOffset, dstStrides, shape); break;
                case DType.Int64: Blocks.Copy(src.Data<long>(), srcOffset, srcStrides, dst.Data<long>(), dstOffset, dstStrides, shape); break;
                case DType.Bool: Blocks.Copy(src.Data<bool>(), srcOffset, srcStrides, dst.Data<bool>(), dstOffset, dstStrides, shape); break;
                case DType.BFloat16: Blocks.Copy(src.Data<BFloat16>(), srcOffset, srcStrides, dst.Data<BFloat16>(), dstOffset, dstStrides, shape); break;
                case DType.Float16: Blocks.Copy(src.Data<Half>(), srcOffset, srcStrides, dst.Data<Half>(), dstOffset, dstStrides, shape); break;
                default: throw DTypeExtensions.Unknown(src.DType);
            }
        }

        private static void ReverseRowsRaw(Tensor y, int length)
        {
            switch (y.DType)
            {
                case DType.Float32: Blocks.ReverseRows(y.Data<float>(), y.Offset, (int)y.Numel, length); break;
                case DType.Float64: Blocks.ReverseRows(y.Data<double>(), y.Offset, (int)y.Numel, length); break;
                case DType.Int64: Blocks.ReverseRows(y.Data<long>(), y.Offset, (int)y.Numel, length); break;
                case DType.Bool: Blocks.ReverseRows(y.Data<bool>(), y.Offset, (int)y.Numel, length); break;
                case DType.BFloat16: Blocks.ReverseRows(y.Data<BFloat16>(), y.Offset, (int)y.Numel, length); break;
                case DType.Float16: Blocks.ReverseRows(y.Data<Half>(), y.Offset, (int)y.Numel, length); break;
                default: throw DTypeExtensions.Unknown(y.DType);
            }
        }
    }

    public static partial class Functional
    {
        /// <summary>Rearranges channels into space, like <c>torch.nn.functional.pixel_shuffle</c>.</summary>
        /// <remarks>
        /// <paramref name="input"/> is <c>[*, C·r·r, H, W]</c> (rank 3 or more) and the result <c>[*, C, H·r, W·r]</c> with
        /// <c>out[..., c, h·r + i, w·r + j] = input[..., c·r·r + i·r + j, h, w]</c>; <c>r = 1</c> is the identity. The
        /// gradient is <see cref="PixelUnshuffle"/> of the upstream gradient.
        /// </remarks>
        /// <param name="input">The input, <c>[*, C·r·r, H, W]</c>.</param>
        /// <param name="upscaleFactor">The factor <c>r</c> (positive).</param>
        public static Tensor PixelShuffle(Tensor input, int upscaleFactor)
        {
            int r = upscaleFactor;
            (int[] lead, int[] leadStrides, int c, int h, int w) = ShuffleParts(input, r, "pixel_shuffle", "upscale_factor");
            int sc = input.StrideArray[^3], sh = input.StrideArray[^2], sw = input.StrideArray[^1];
            if (c % (r * r) != 0)
                throw new ArgumentException(
                    $"pixel_shuffle: expected the channel dimension (-3) to be divisible by upscale_factor² = {r * r}, got {c} channels (input shape {input.Shape})", nameof(input));
            int oc = c / (r * r);
            return Shuffled(input, [.. lead, oc, h * r, w * r], [.. lead, oc, h, r, w, r], [.. leadStrides, sc * r * r, sh, sc * r, sw, sc],
                () => new Ops.PixelShuffleBackward(input, r));
        }

        /// <summary>Rearranges space into channels, like <c>torch.nn.functional.pixel_unshuffle</c> (the inverse of <see cref="PixelShuffle"/>).</summary>
        /// <remarks>
        /// <paramref name="input"/> is <c>[*, C, H·r, W·r]</c> (rank 3 or more) and the result <c>[*, C·r·r, H, W]</c> with
        /// <c>out[..., c·r·r + i·r + j, h, w] = input[..., c, h·r + i, w·r + j]</c>.
        /// </remarks>
        /// <param name="input">The input, <c>[*, C, H·r, W·r]</c>.</param>
        /// <param name="downscaleFactor">The factor <c>r</c> (positive).</param>
        public static Tensor PixelUnshuffle(Tensor input, int downscaleFactor)
        {
            int r = downscaleFactor;
            (int[] lead, int[] leadStrides, int c, int h, int w) = ShuffleParts(input, r, "pixel_unshuffle", "downscale_factor");
            int sc = input.StrideArray[^3], sh = input.StrideArray[^2], sw = input.StrideArray[^1];
            if (h % r != 0 || w % r != 0)
                throw new ArgumentException(
                    $"pixel_unshuffle: expected height and width divisible by downscale_factor {r}, got input shape {input.Shape} (height {h}, width {w})", nameof(input));
            return Shuffled(input, [.. lead, c * r * r, h / r, w / r], [.. lead, c, r, r, h / r, w / r], [.. leadStrides, sc, sh, sw, sh * r, sw * r],
                () => new Ops.PixelUnshuffleBackward(input, r));
        }

        private static (int[] Lead, int[] LeadStrides, int C, int H, int W) ShuffleParts(Tensor input, int factor, string op, string name)
        {
            ArgumentNullException.ThrowIfNull(input);
            if (factor <= 0) throw new ArgumentException($"{op}: {name} must be positive, got {factor}");
            if (input.Rank < 3)
                throw new ArgumentException($"{op}: expected an input of rank 3 or more [*, C, H, W], got shape {input.Shape}", nameof(input));
            return (input.Dims[..^3], input.StrideArray[..^3], input.Dims[^3], input.Dims[^2], input.Dims[^1]);
        }

        /// <summary>A new tensor of <paramref name="outDims"/> holding the input's elements read at (<paramref name="shape"/>, <paramref name="strides"/>) in row-major order.</summary>
        private static Tensor Shuffled(Tensor input, int[] outDims, int[] shape, int[] strides, Func<Node> node)
        {
            var y = Tensor.Empty(input.DType, outDims);
            Tensor.MoveRaw(input, input.Offset, strides, y, y.Offset, Strided.ContiguousStrides(shape), shape);
            if (Autograd.ShouldRecord(input)) y.SetGradFn(node());
            return y;
        }
    }
}

namespace Nabla.Ops
{
    // flip is its own inverse
    internal sealed class FlipBackward(Tensor x, int[] dims) : Node(x)
    {
        public override Tensor?[] Backward(Tensor g) => [g.Flip(dims)];
    }

    // roll back by the opposite shifts (given here already negated)
    internal sealed class RollBackward(Tensor x, int[] shifts, int[]? dims) : Node(x)
    {
        public override Tensor?[] Backward(Tensor g) => [g.Roll(shifts, dims)];
    }

    // repeat: each element's copies sum back into it (the output viewed as [r0, s0, r1, s1, ...], summed over the r axes)
    internal sealed class RepeatBackward(Tensor x, int[] repeats) : Node(x)
    {
        private readonly int[] _dims = x.Dims;

        public override Tensor?[] Backward(Tensor g)
        {
            int count = repeats.Length, lead = count - _dims.Length;
            if (count == 0) return [g];
            var split = new int[2 * count];
            var axes = new int[count];
            for (int i = 0; i < count; i++)
            {
                (split[2 * i], split[2 * i + 1]) = (repeats[i], i < lead ? 1 : _dims[i - lead]);
                axes[i] = 2 * i;
            }
            return [g.Reshape(split).Sum(axes).Reshape(_dims)];
        }
    }

    // repeat_interleave: the output viewed with the copies on their own axis; each element's copies sum back into it
    internal sealed class RepeatInterleaveBackward(Tensor x, int[] split, int copiesAxis) : Node(x)
    {
        private readonly int[] _dims = x.Dims;

        public override Tensor?[] Backward(Tensor g) => [g.Reshape(split).Sum(copiesAxis).Reshape(_dims)];
    }

    // tril keeps a fixed set of positions: so does its gradient
    internal sealed class TrilBackward(Tensor x, int diagonal) : Node(x)
    {
        public override Tensor?[] Backward(Tensor g) => [g.Tril(diagonal)];
    }

    // triu keeps a fixed set of positions: so does its gradient
    internal sealed class TriuBackward(Tensor x, int diagonal) : Node(x)
    {
        public override Tensor?[] Backward(Tensor g) => [g.Triu(diagonal)];
    }

    // pixel_shuffle is a permutation of elements: its gradient applies the inverse permutation, pixel_unshuffle
    internal sealed class PixelShuffleBackward(Tensor x, int factor) : Node(x)
    {
        public override Tensor?[] Backward(Tensor g) => [Functional.PixelUnshuffle(g, factor)];
    }

    // pixel_unshuffle is a permutation of elements: its gradient applies the inverse permutation, pixel_shuffle
    internal sealed class PixelUnshuffleBackward(Tensor x, int factor) : Node(x)
    {
        public override Tensor?[] Backward(Tensor g) => [Functional.PixelShuffle(g, factor)];
    }
}
