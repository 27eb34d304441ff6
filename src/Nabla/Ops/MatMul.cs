using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla
{
    public sealed partial class Tensor
    {
        /// <summary>
        /// Matrix product with PyTorch's <c>matmul</c> rules: 2-D × 2-D; batched with broadcast batch dims;
        /// a 1-D operand is promoted to a matrix and the added dim removed (<c>[3,4]·[4] → [3]</c>, <c>[4]·[4] → []</c>).
        /// </summary>
        public Tensor MatMul(Tensor other)
        {
            ArgumentNullException.ThrowIfNull(other);
            Tensor x = this, w = other;
            if (Autocast.Lower(ref x, ref w)) return x.MatMul(w); // Note [Autocast policy]
            if (Rank == 0 || other.Rank == 0)
                throw new ArgumentException($"matmul: both operands need at least one dimension, got shapes {Shape} and {other.Shape}");
            // The vector forms report PyTorch's nodes, DotBackward and MvBackward (Note [Composite ops]).
            if (Rank == 1 && other.Rank == 1)
                return Ops.Composite.Run("DotBackward", this, other, static (a, b) => a.Unsqueeze(0).MatMulCore(b!.Unsqueeze(1)).Reshape());
            if (Rank == 1) return Unsqueeze(0).MatMulCore(other).Squeeze(-2);
            if (Rank == 2 && other.Rank == 1)
                return Ops.Composite.Run("MvBackward", this, other, static (a, b) => a.MatMulCore(b!.Unsqueeze(1)).Squeeze(-1));
            if (other.Rank == 1) return MatMulCore(other.Unsqueeze(1)).Squeeze(-1);
            return MatMulCore(other);
        }

        /// <summary>
        /// Matrix product of two operands with at least two dimensions (batch dims broadcast) written into
        /// <paramref name="output"/>, as PyTorch's <c>matmul(a, b, out=output)</c>: no result is allocated, so a loop
        /// of products reuses one buffer. Like PyTorch's <c>out=</c> it is not differentiable: it refuses operands
        /// that would record a gradient. <paramref name="output"/> must be contiguous from the start of its own
        /// storage and must not share storage with an operand. Returns <paramref name="output"/>.
        /// </summary>
        public Tensor MatMul(Tensor other, Tensor output)
        {
            ArgumentNullException.ThrowIfNull(other);
            ArgumentNullException.ThrowIfNull(output);
            if (Rank < 2 || other.Rank < 2)
                throw new ArgumentException($"matmul(out): both operands need at least two dimensions, got shapes {Shape} and {other.Shape}");
            if (Autograd.ShouldRecord(this, other) || output.RequiresGrad)
                throw new InvalidOperationException(
                    $"matmul(out): writing into an output tensor is not differentiable, but an operand of shapes {Shape} and {other.Shape} " +
                    "(or the output) requires a gradient; use a.MatMul(b), or wrap the call in 'using (Autograd.NoGrad())'");
            var (batch, m, n) = MatMulShape(other);
            int[] expected = [.. batch, m, n];
            if (output.DType != DType || !output.Dims.AsSpan().SequenceEqual(expected))
                throw new ArgumentException(
                    $"matmul(out): output has shape {output.Shape} and dtype {output.DType.Name()}, expected shape {Nabla.Shape.Format(expected)} and dtype {DType.Name()}");
            if (!output.IsContiguous || output.Offset != 0)
                throw new ArgumentException(
                    $"matmul(out): output of shape {output.Shape} must be contiguous from the start of its storage (got strides [{string.Join(", ", output.StrideArray)}], offset {output.Offset}); pass a tensor made by Tensor.Zeros");
            if (output.SharesStorage(this) || output.SharesStorage(other))
                throw new ArgumentException($"matmul(out): output of shape {output.Shape} shares storage with an operand; the product cannot be written over its inputs");
            MatMulInto(this, other, batch, output);
            output.Storage.Version++;
            return output;
        }

        private (int[] Batch, int M, int N) MatMulShape(Tensor other)
        {
            CheckSameDType(this, other, "matmul");
            CheckFloat(this, "matmul");
            int m = Dims[^2], k = Dims[^1], k2 = other.Dims[^2], n = other.Dims[^1];
            if (k != k2)
                throw new ArgumentException($"matmul: cannot multiply {Shape} by {other.Shape}: inner dimensions {k} and {k2} differ");
            return (BroadcastShapes(Dims[..^2], other.Dims[..^2], "matmul"), m, n);
        }

        private static void MatMulInto(Tensor x, Tensor w, int[] batch, Tensor y)
        {
            switch (x.DType)
            {
                case DType.Float32: MatMulInto<float>(x, w, batch, y); break;
                case DType.Float64: MatMulInto<double>(x, w, batch, y); break;
                default:
                {
                    // 16-bit operands are widened in the GEMM's packing and accumulate in float32 (Note [Widening GEMM]);
                    // a 16-bit result goes through a float32 scratch, rounded once.
                    int count = (int)y.Numel;
                    bool direct = y.DType == DType.Float32;
                    float[] wide = direct ? y.Data<float>() : WideScratch(count);
                    int at = direct ? y.Offset : 0;
                    switch (x.DType, w.DType, y.DType)
                    {
                        case (DType.BFloat16, DType.BFloat16, DType.BFloat16):
                            MatMulWidening<BFloat16, BFloat16, BFloat16>(x, w, batch, wide, at, y.Data<BFloat16>().AsSpan(y.Offset, count)); break;
                        case (DType.Float16, DType.Float16, DType.Float16):
                            MatMulWidening<Half, Half, Half>(x, w, batch, wide, at, y.Data<Half>().AsSpan(y.Offset, count)); break;
                        case (DType.BFloat16, DType.BFloat16, DType.Float32): MatMulWidening<BFloat16, BFloat16, float>(x, w, batch, wide, at, default); break;
                        case (DType.Float16, DType.Float16, DType.Float32): MatMulWidening<Half, Half, float>(x, w, batch, wide, at, default); break;
                        default: throw new ArgumentException($"matmul: dtypes {x.DType.Name()} and {w.DType.Name()} cannot be multiplied into {y.DType.Name()}; convert one with .To()");
                    }
                    break;
                }
            }
        }

        private Tensor MatMulCore(Tensor other)
        {
            var (batch, m, n) = MatMulShape(other);
            var y = Empty(DType, [.. batch, m, n]);
            MatMulInto(this, other, batch, y);
            if (Autograd.ShouldRecord(this, other)) y.SetGradFn(new Ops.MmBackward(this, other));
            return y;
        }

        // Note [MatMul operand layout]
        // GEMM reads any matrix whose rows or columns are unit-stride, so MatMul passes views in place:
        // a row-major matrix (column stride 1) as is with its row stride as leading dimension, a transposed
        // one (row stride 1, e.g. w.MT) with the transpose flag, and a broadcast batch (stride 0) by giving
        // every batch item the same offset. Only a matrix with neither unit stride is copied, and then
        // before broadcasting, so a broadcast operand is never materialised per batch item. When B is
        // shared by the whole batch and A's rows run evenly through the batch (x[b, s, in]·w.MT), the
        // batch folds into M and the product is a single GEMM.
        private static void MatMulInto<T>(Tensor x, Tensor w, int[] batch, Tensor y) where T : unmanaged, System.Numerics.INumber<T>
        {
            int m = x.Dims[^2], k = x.Dims[^1], n = w.Dims[^1];
            var (a, transA, lda) = GemmOperand(x, batch);
            var (b, transB, ldb) = GemmOperand(w, batch);
            T[] ya = y.Data<T>();
            int nb = batch.Length, batches = (int)Strided.Numel(batch);
            if (batches == 0 || m == 0 || n == 0) return;
            if (batches == 1 || (!transA && IsUniform(b.StrideArray.AsSpan(0, nb), 0, batch) && IsUniform(a.StrideArray.AsSpan(0, nb + 1), lda, [.. batch, m])))
            {
                Gemm.Multiply(transA, transB, batches * m, n, k, T.One, a.Data<T>().AsSpan(a.Offset), lda,
                    b.Data<T>().AsSpan(b.Offset), ldb, T.Zero, ya.AsSpan(), n);
                return;
            }
            int[] offA = BatchOffsets(a, batch), offB = BatchOffsets(b, batch), offC = new int[batches];
            for (int i = 0; i < batches; i++) offC[i] = i * m * n;
            Gemm.MultiplyBatched(transA, transB, m, n, k, T.One, a.Data<T>(), offA, lda, b.Data<T>(), offB, ldb, T.Zero, ya, offC, n);
        }

        /// <summary>Largest float32 result (elements) kept between calls on a thread; larger ones get a fresh array.</summary>
        private const int WideScratchLimit = 1 << 20;

        [ThreadStatic] private static float[]? t_wideScratch;

        // The float32 result of a 16-bit product lives only until it is rounded: reusing one array per thread keeps
        // the widening path from allocating (and page-faulting) a float32 copy of every result.
        private static float[] WideScratch(int count)
        {
            if (count > WideScratchLimit) return GC.AllocateUninitializedArray<float>(count);
            if (t_wideScratch is null || t_wideScratch.Length < count) t_wideScratch = GC.AllocateUninitializedArray<float>(Math.Max(count, 1 << 12));
            return t_wideScratch;
        }

        /// <summary>op(x)·op(w) of 16-bit operands into float32 <paramref name="y"/> from <paramref name="at"/>, row-major, batch by batch (see Note [Widening GEMM]).</summary>
        /// <remarks>A non-empty <paramref name="rounded"/> (contiguous, y's shape) receives the result rounded to 16 bits (Note [Rounding epilogue]).</remarks>
        private static void MatMulWidening<TA, TB, TC>(Tensor x, Tensor w, int[] batch, float[] y, int at, Span<TC> rounded)
            where TA : unmanaged where TB : unmanaged where TC : unmanaged
        {
            int m = x.Dims[^2], k = x.Dims[^1], n = w.Dims[^1];
            var (a, transA, lda) = GemmOperand(x, batch);
            var (b, transB, ldb) = GemmOperand(w, batch);
            int nb = batch.Length, batches = (int)Strided.Numel(batch);
            if (batches == 0 || m == 0 || n == 0) return;
            if (batches > 1 && !transA && IsUniform(b.StrideArray.AsSpan(0, nb), 0, batch) && IsUniform(a.StrideArray.AsSpan(0, nb + 1), lda, [.. batch, m]))
            {
                // The batch folds into M, as for float32 (Note [MatMul operand layout]).
                Kernels.GemmWiden.MultiplyBatched<TA, TB, TC>(false, transB, batches * m, n, k, a.Data<TA>(), [a.Offset], lda, b.Data<TB>(), [b.Offset], ldb,
                    y.AsSpan(at), [0], n, rounded);
                return;
            }
            int[] offA = BatchOffsets(a, batch), offB = BatchOffsets(b, batch), offC = new int[batches];
            for (int i = 0; i < batches; i++) offC[i] = i * m * n;
            Kernels.GemmWiden.MultiplyBatched<TA, TB, TC>(transA, transB, m, n, k, a.Data<TA>(), offA, lda, b.Data<TB>(), offB, ldb, y.AsSpan(at), offC, n, rounded);
        }

        /// <summary>
        /// <paramref name="t"/> expanded to <c>[..batch, rows, cols]</c> without copying, and how GEMM reads its
        /// matrices: row-major with leading dimension <c>ld</c>, or transposed. See Note [MatMul operand layout].
        /// </summary>
        private static (Tensor View, bool Trans, int Ld) GemmOperand(Tensor t, int[] batch)
        {
            int rows = t.Dims[^2], cols = t.Dims[^1];
            int sr = t.StrideArray[^2], sc = t.StrideArray[^1];
            bool fits = sr >= 0 && sc >= 0;
            foreach (int s in t.StrideArray) fits &= s >= 0;
            if (!fits || ((cols > 1 && sc != 1) && (rows > 1 && sr != 1)))
            {
                t = t.ContiguousData();
                (sr, sc) = (t.StrideArray[^2], t.StrideArray[^1]);
            }
            Tensor view = t.ExpandTo([.. batch, rows, cols]);
            if (cols <= 1 || sc == 1) return (view, false, rows <= 1 ? Math.Max(cols, 1) : sr);
            return (view, true, sc);
        }

        /// <summary>Whether dims with <paramref name="strides"/> step through memory like a contiguous block whose innermost step is <paramref name="unit"/>.</summary>
        private static bool IsUniform(ReadOnlySpan<int> strides, int unit, int[] dims)
        {
            long expected = unit;
            for (int d = dims.Length - 1; d >= 0; d--)
            {
                if (dims[d] == 1) continue;
                if (strides[d] != expected) return false;
                expected *= dims[d];
            }
            return true;
        }

        /// <summary>Storage offset of each batch item's matrix (row-major order over the batch dims).</summary>
        internal static int[] BatchOffsets(Tensor view, int[] batch)
        {
            int batches = (int)Strided.Numel(batch);
            var offsets = new int[batches];
            var index = new int[batch.Length];
            int offset = view.Offset;
            for (int i = 0; i < batches; i++)
            {
                offsets[i] = offset;
                for (int d = batch.Length - 1; d >= 0; d--)
                {
                    offset += view.StrideArray[d];
                    if (++index[d] < batch[d]) break;
                    offset -= view.StrideArray[d] * batch[d];
                    index[d] = 0;
                }
            }
            return offsets;
        }
    }
}

namespace Nabla.Ops
{
    // d(AB)/dA = G B^T, d(AB)/dB = A^T G; the engine sums broadcast batch dims
    internal sealed class MmBackward : Node
    {
        private readonly bool _aTransposed, _bTransposed;

        public MmBackward(Tensor a, Tensor b) : base(a, b)
        {
            Save(NeedsGrad(1) ? a : null);
            Save(NeedsGrad(0) ? b : null);
            (_aTransposed, _bTransposed) = (IsTransposedMatrix(a), IsTransposedMatrix(b));
        }

        // NOTE: for a 2-D operand that is a transposed view (Linear's w.MT) the same gradient is computed as the
        // transpose of the transposed product, (B·Gᵀ)ᵀ or (Gᵀ·A)ᵀ: it then has the layout of the tensor under
        // the view, so the gradient flowing back through the transpose is contiguous and accumulates without a
        // strided copy.
        public override Tensor?[] Backward(Tensor g) =>
        [
            !NeedsGrad(0) ? null : _aTransposed ? Saved(1).MatMul(g.MT).MT : g.MatMul(Saved(1).MT),
            !NeedsGrad(1) ? null : _bTransposed ? g.MT.MatMul(Saved(0)).MT : Saved(0).MT.MatMul(g),
        ];

        private static bool IsTransposedMatrix(Tensor t) =>
            t.Rank == 2 && t.Dims[0] > 1 && t.Dims[1] > 1 && t.StrideArray[0] == 1 && t.StrideArray[1] == t.Dims[0];
    }

    // y = x·Wᵀ + b (then relu, when fused): see Note [Fused linear] in Ops/Activations.cs. dx = g·W, dW = gᵀ·x,
    // db = Σ_rows g, with g first masked by [y > 0] when the ReLU is fused in. The products are the ones
    // MmBackward runs for x·(W.MT) (dW as gᵀ·x, in W's layout) and db is the engine's SumToShape, so the
    // gradients are bit for bit those of the separate ops.
    internal abstract class LinearBackward : Node
    {
        private readonly int[]? _biasDims;
        private readonly bool _relu;

        protected LinearBackward(Tensor x, Tensor w, Tensor? bias, Tensor? reluOutput) : base(x, w, bias)
        {
            Save(NeedsGrad(1) ? x : null);
            Save(NeedsGrad(0) ? w : null);
            Save(reluOutput);
            (_biasDims, _relu) = (bias?.Dims, reluOutput is not null);
        }

        /// <summary>The node for a linear op with or without a bias and a fused ReLU (its name says which).</summary>
        public static LinearBackward Create(Tensor x, Tensor w, Tensor? bias, Tensor? reluOutput) => (bias, reluOutput) switch
        {
            (not null, null) => new AddmmBackward(x, w, bias, null),
            (not null, not null) => new AddmmReluBackward(x, w, bias, reluOutput),
            (null, not null) => new MmReluBackward(x, w, null, reluOutput),
            _ => throw new ArgumentException("internal: a linear op without bias or ReLU is a plain matmul (MmBackward)"),
        };

        public override Tensor?[] Backward(Tensor g)
        {
            if (_relu) g = Tensor.PassWherePositive(g, Autograd.ShouldRecord(g) ? Saved(2).Detach() : Saved(2));
            return
            [
                NeedsGrad(0) ? g.MatMul(Saved(1)) : null,
                NeedsGrad(1) ? g.MT.MatMul(Saved(0)) : null,
                NeedsGrad(2) ? g.SumToShape(_biasDims!) : null,
            ];
        }
    }

    internal sealed class AddmmBackward(Tensor x, Tensor w, Tensor? bias, Tensor? reluOutput) : LinearBackward(x, w, bias, reluOutput);

    internal sealed class AddmmReluBackward(Tensor x, Tensor w, Tensor? bias, Tensor? reluOutput) : LinearBackward(x, w, bias, reluOutput);

    internal sealed class MmReluBackward(Tensor x, Tensor w, Tensor? bias, Tensor? reluOutput) : LinearBackward(x, w, bias, reluOutput);
}
