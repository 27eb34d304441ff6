using System.Numerics;
using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla
{
    /// <summary>
    /// Stateless neural-network functions in PyTorch's <c>torch.nn.functional</c> vocabulary: activations,
    /// linear maps, normalization, losses, convolution and pooling.
    /// </summary>
    public static partial class Functional
    {
        private const double SqrtTwoOverPi = 0.79788456080286535588; // sqrt(2/pi)
        private const double GeluTanhKappa = 0.044715;

        /// <summary>Gaussian error linear unit, exact (erf) or with the tanh approximation.</summary>
        /// <remarks>
        /// <see cref="GeluApproximation.None"/>: <c>gelu(x) = x*Phi(x) = 0.5*x*(1 + erf(x/sqrt(2)))</c>, derivative
        /// <c>Phi(x) + x*phi(x)</c> with <c>phi</c> the standard normal density.
        /// <see cref="GeluApproximation.Tanh"/>: <c>0.5*x*(1 + tanh(sqrt(2/pi)*(x + 0.044715*x^3)))</c>, differentiated exactly.
        /// Elementwise; the output has the input's shape.
        /// </remarks>
        public static Tensor Gelu(Tensor x, GeluApproximation approximate = GeluApproximation.None)
        {
            ArgumentNullException.ThrowIfNull(x);
            Tensor.CheckFloat(x, "gelu");
            if (approximate == GeluApproximation.Tanh)
            {
                return Ops.Composite.Run("GeluBackward", x, static x =>
                {
                    Tensor inner = (x + x * x * x * GeluTanhKappa) * SqrtTwoOverPi;
                    return x * 0.5 * (inner.Tanh() + 1.0);
                });
            }
            if (approximate != GeluApproximation.None)
                throw new ArgumentException($"gelu: unknown approximation {approximate}; expected None or Tanh");
            Tensor y = Tensor.UnaryKernel<GeluOp<float>, GeluOp<double>>(x, "gelu");
            if (Autograd.ShouldRecord(x)) y.SetGradFn(new Ops.GeluBackward(x));
            return y;
        }

        /// <summary>Sigmoid linear unit (swish): <c>x * sigmoid(x)</c>.</summary>
        /// <remarks>Derivative <c>s*(1 + x*(1 - s))</c> with <c>s = sigmoid(x)</c>; elementwise.</remarks>
        public static Tensor Silu(Tensor x)
        {
            ArgumentNullException.ThrowIfNull(x);
            Tensor.CheckFloat(x, "silu");
            return Ops.Composite.Run("SiluBackward", x, static x => x * x.Sigmoid());
        }

        /// <summary>Smooth approximation of ReLU: <c>ln(1 + exp(beta*x))/beta</c>, linear above a threshold.</summary>
        /// <remarks>
        /// <c>softplus(x) = x</c> where <c>beta*x &gt; threshold</c>, else <c>log1p(exp(beta*x))/beta</c>.
        /// The derivative is 1 in the linear region and <c>sigmoid(beta*x)</c> elsewhere. Finite for any finite x.
        /// </remarks>
        public static Tensor Softplus(Tensor x, double beta = 1, double threshold = 20)
        {
            ArgumentNullException.ThrowIfNull(x);
            Tensor.CheckFloat(x, "softplus");
            if (beta == 0 || !double.IsFinite(beta))
                throw new ArgumentException($"softplus: beta must be a finite non-zero number, got {beta}");
            return Ops.Composite.Run("SoftplusBackward", x, x =>
            {
                Tensor bx = x * beta;
                // NOTE: the unselected log1p(exp()) branch is still evaluated and differentiated; clamping its
                // argument at the threshold keeps exp() finite there, so its zero gradient does not become 0*inf = NaN.
                Tensor smooth = bx.Clamp(max: threshold).Exp().Log1p() / beta;
                return Tensor.Where(bx.Gt(threshold), x, smooth);
            });
        }

        /// <summary>Leaky rectifier: <c>x</c> for <c>x &gt; 0</c>, else <c>negativeSlope*x</c>.</summary>
        /// <remarks>The derivative at <c>x == 0</c> is <paramref name="negativeSlope"/>, as in PyTorch.</remarks>
        public static Tensor LeakyRelu(Tensor x, double negativeSlope = 0.01)
        {
            ArgumentNullException.ThrowIfNull(x);
            Tensor.CheckFloat(x, "leaky_relu");
            return Ops.Composite.Run("LeakyReluBackward", x, x => Tensor.Where(x.Gt(0), x, x * negativeSlope));
        }

        /// <summary>Exponential linear unit: <c>x</c> for <c>x &gt; 0</c>, else <c>alpha*(exp(x) - 1)</c>.</summary>
        /// <remarks>The derivative is 1 for <c>x &gt; 0</c> and <c>alpha*exp(x)</c> for <c>x &lt;= 0</c> (so <paramref name="alpha"/> at 0, as in PyTorch).</remarks>
        public static Tensor Elu(Tensor x, double alpha = 1)
        {
            ArgumentNullException.ThrowIfNull(x);
            return EluCore(x, alpha, 1, "elu");
        }

        /// <summary>Rectified linear unit <c>max(x, 0)</c>; same as <see cref="Tensor.Relu"/>.</summary>
        /// <remarks>The derivative at 0 is 0.</remarks>
        public static Tensor Relu(Tensor x)
        {
            ArgumentNullException.ThrowIfNull(x);
            return x.Relu();
        }

        /// <summary>Logistic sigmoid <c>1/(1 + exp(-x))</c>; same as <see cref="Tensor.Sigmoid"/>.</summary>
        /// <remarks>Derivative <c>s*(1 - s)</c>.</remarks>
        public static Tensor Sigmoid(Tensor x)
        {
            ArgumentNullException.ThrowIfNull(x);
            return x.Sigmoid();
        }

        /// <summary>Hyperbolic tangent; same as <see cref="Tensor.Tanh"/>.</summary>
        /// <remarks>Derivative <c>1 - tanh(x)^2</c>.</remarks>
        public static Tensor Tanh(Tensor x)
        {
            ArgumentNullException.ThrowIfNull(x);
            return x.Tanh();
        }

        /// <summary>Softmax along <paramref name="dim"/>; same as <see cref="Tensor.Softmax"/>.</summary>
        /// <remarks><c>exp(x - max) / sum(exp(x - max))</c> along <paramref name="dim"/> (negative counts from the end).</remarks>
        public static Tensor Softmax(Tensor x, int dim)
        {
            ArgumentNullException.ThrowIfNull(x);
            return x.Softmax(dim);
        }

        /// <summary>Log-softmax along <paramref name="dim"/>; same as <see cref="Tensor.LogSoftmax"/>.</summary>
        /// <remarks><c>x - max - ln(sum(exp(x - max)))</c>, finite for logits of any finite magnitude.</remarks>
        public static Tensor LogSoftmax(Tensor x, int dim)
        {
            ArgumentNullException.ThrowIfNull(x);
            return x.LogSoftmax(dim);
        }

        /// <summary>Affine map <c>input @ weight^T + bias</c> over the last dimension of <paramref name="input"/>.</summary>
        /// <remarks>
        /// <paramref name="input"/> is <c>[..., in_features]</c> (any number of leading dims, or 1-D <c>[in_features]</c>),
        /// <paramref name="weight"/> is <c>[out_features, in_features]</c>, <paramref name="bias"/> is <c>[out_features]</c>;
        /// the result is <c>[..., out_features]</c>. One op (<c>AddmmBackward</c>, or <c>MmBackward</c> without a bias) for an
        /// input of rank 2 or more; see Note [Fused linear].
        /// </remarks>
        public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null) => LinearImpl(input, weight, bias, relu: false);

        /// <summary>
        /// <c>relu(Linear(input, weight, bias))</c> as one op (<c>AddmmReluBackward</c>, or <c>MmReluBackward</c> without a
        /// bias): the same arguments, checks, results and gradients as the two ops, with one product buffer and one node
        /// (see Note [Fused linear]). <see cref="NN.ModuleExtensions.Fuse"/> makes a Linear followed by a Relu use it.
        /// </summary>
        public static Tensor LinearRelu(Tensor input, Tensor weight, Tensor? bias = null) => LinearImpl(input, weight, bias, relu: true);

        private static Tensor LinearImpl(Tensor input, Tensor weight, Tensor? bias, bool relu)
        {
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(weight);
            if (Autocast.IsEnabled) // Note [Autocast policy]
            {
                Tensor x = input, w = weight;
                Tensor? b = Autocast.LowerOptional(bias);
                if (Autocast.Lower(ref x, ref w) || !ReferenceEquals(b, bias)) return LinearImpl(x, w, b, relu);
            }
            if (weight.Rank != 2)
                throw new ArgumentException($"linear: weight must be 2-D [out_features, in_features], got shape {weight.Shape}");
            int outFeatures = weight.Dims[0], inFeatures = weight.Dims[1];
            if (input.Rank == 0 || input.Dims[^1] != inFeatures)
                throw new ArgumentException(
                    $"linear: input of shape {input.Shape} does not match weight of shape {weight.Shape}: expected input [..., {inFeatures}] (the last dimension must equal in_features)");
            if (bias is not null && (bias.Rank != 1 || bias.Dims[0] != outFeatures))
                throw new ArgumentException($"linear: bias has shape {bias.Shape} but weight of shape {weight.Shape} expects [{outFeatures}]");
            // NOTE: 1-D inputs and mixed dtypes take the separate ops, whose errors name the problem.
            // 16-bit operands take matmul, whose GEMM widens them while packing (Note [Widening GEMM]).
            bool fused = input.Rank >= 2 && input.DType.ComputesNatively()
                && weight.DType == input.DType && (bias is null || bias.DType == input.DType);
            Tensor y;
            if (input.Rank <= 2)
            {
                y = fused ? LinearCore(input, weight, bias, relu) : input.MatMul(weight.MT);
            }
            else
            {
                // NOTE: fold the leading dims into rows so the weight is used once as a matrix, instead of being
                // broadcast (and copied) over every batch dim by matmul.
                int[] lead = input.Dims[..^1];
                int rows = 1;
                foreach (int d in lead) rows *= d;
                Tensor x2 = input.Reshape(rows, inFeatures);
                y = (fused ? LinearCore(x2, weight, bias, relu) : x2.MatMul(weight.MT)).Reshape([.. lead, outFeatures]);
            }
            if (fused) return y;
            if (bias is not null) y += bias;
            return relu ? y.Relu() : y;
        }

        // Note [Fused linear]
        // Linear is one op: the product is computed into a fresh tensor that nothing else has seen, the bias is added
        // into it row by row (and, for LinearRelu, the ReLU applied in place) while it is in cache, and one node
        // (AddmmBackward; AddmmReluBackward or MmReluBackward with the ReLU) records the whole. Its rule first applies
        // ReLU's g·[y > 0] with the kernel ReluBackward uses, then computes dx = g·W, dW = gᵀ·x and db = Σ_rows g with
        // the products and reduction the separate ops' rules run (MmBackward's transposed-operand form, the engine's
        // SumToShape), so values and gradients are bit for bit those of matmul + add (+ relu), and under createGraph
        // the rule is recorded ops, so second derivatives are unchanged. Without bias or ReLU it is a plain matmul.
        private static Tensor LinearCore(Tensor x, Tensor weight, Tensor? bias, bool relu)
        {
            if (bias is null && !relu) return x.MatMul(weight.MT);
            Tensor y;
            using (Autograd.NoGrad()) y = x.MatMul(weight.MT);
            if (bias is not null) AddRowsInPlace(y, bias);
            if (relu) ReluInPlace(y);
            if (Autograd.ShouldRecord([x, weight, bias])) y.SetGradFn(Ops.LinearBackward.Create(x, weight, bias, relu ? y : null));
            return y;
        }

        /// <summary>y[r, :] += b for every row of a fresh contiguous [rows, n] tensor (the same rounding as y + b).</summary>
        private static void AddRowsInPlace(Tensor y, Tensor bias)
        {
            Tensor b = bias.ContiguousData();
            if (y.DType == DType.Float32) AddRows(y.Span<float>(), b.Span<float>());
            else AddRows(y.Span<double>(), b.Span<double>());

            static void AddRows<T>(Span<T> y, ReadOnlySpan<T> b) where T : IFloatingPointIeee754<T>
            {
                int n = b.Length;
                if (n == 0) return;
                for (int at = 0; at + n <= y.Length; at += n)
                {
                    Span<T> row = y.Slice(at, n);
                    System.Numerics.Tensors.TensorPrimitives.Add(row, b, row);
                }
            }
        }

        /// <summary>In place max(y, 0) with the primitive <see cref="Tensor.Relu"/> uses (NaN stays NaN).</summary>
        private static void ReluInPlace(Tensor y)
        {
            if (y.DType == DType.Float32) ReluOp<float>.Invoke(y.Span<float>(), y.Span<float>());
            else ReluOp<double>.Invoke(y.Span<double>(), y.Span<double>());
        }

        /// <summary>
        /// <c>ln(1 + exp(z))</c> exact and finite for every finite z, with derivative <c>sigmoid(z)</c> (0.5 at 0).
        /// </summary>
        internal static Tensor StableSoftplus(Tensor z)
        {
            // NOTE: z > 0 uses z + log1p(exp(-z)), z <= 0 uses log1p(exp(z)), so exp() never sees a positive
            // argument; each branch reads a clamped copy of z so that the unselected one stays finite too.
            Tensor pos = z.Clamp(min: 0), neg = z.Clamp(max: 0);
            Tensor upper = pos + (-pos).Exp().Log1p();
            Tensor lower = neg.Exp().Log1p();
            return Tensor.Where(z.Gt(0), upper, lower);
        }
    }
}

namespace Nabla.Ops
{
    // d gelu(x)/dx = Phi(x) + x*phi(x), Phi(x) = (1 + erf(x/sqrt 2))/2, phi(x) = exp(-x^2/2)/sqrt(2 pi)
    internal sealed class GeluBackward : Node
    {
        private const double SqrtHalf = 0.70710678118654752440;
        private const double InvSqrtTwoPi = 0.39894228040143267794;

        public GeluBackward(Tensor x) : base(x) => Save(x);

        public override Tensor?[] Backward(Tensor g)
        {
            Tensor x = Saved(0);
            if (!Autograd.IsGradEnabled && x.DType == DType.Float32 && g.DType == DType.Float32 && g.Shape == x.Shape)
            {
                // one fused pass (Note [Fast exact GELU]); createGraph takes the differentiable form below
                Tensor xs = x.ContiguousData(), gs = g.ContiguousData(), dx = Tensor.Empty(DType.Float32, x.Dims);
                Elementwise.Contiguous<float, float, GeluGradOp>(xs.Data<float>(), xs.Offset, gs.Data<float>(), gs.Offset,
                    dx.Data<float>(), 0, (int)dx.Numel, threshold: Chunked.TranscendentalThreshold);
                return [dx];
            }
            if (!Autograd.IsGradEnabled && x.DType.IsHalf() && g.DType == x.DType && g.Shape == x.Shape)
            {
                // the same pass on 16-bit data, rounded once (Note [Fused half elementwise])
                Tensor xs = x.ContiguousData(), gs = g.ContiguousData(), dx = Tensor.Empty(x.DType, x.Dims);
                int n = (int)dx.Numel;
                if (x.DType == DType.BFloat16)
                    ElementwiseHalf.Binary<BFloat16, GeluGradOp>(xs.Data<BFloat16>(), xs.Offset, 1, gs.Data<BFloat16>(), gs.Offset, 1,
                        dx.Data<BFloat16>(), 0, n, threshold: Chunked.TranscendentalThreshold);
                else
                    ElementwiseHalf.Binary<Half, GeluGradOp>(xs.Data<Half>(), xs.Offset, 1, gs.Data<Half>(), gs.Offset, 1,
                        dx.Data<Half>(), 0, n, threshold: Chunked.TranscendentalThreshold);
                return [dx];
            }
            Tensor cdf = ((x * SqrtHalf).Erf() + 1.0) * 0.5;
            Tensor pdf = (x * x * -0.5).Exp() * InvSqrtTwoPi;
            return [g * (cdf + x * pdf)];
        }
    }
}
