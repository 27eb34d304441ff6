using Nabla.Graph;

namespace Nabla
{
    // Losses are compositions of differentiable ops (double backward works through all of them), except
    // binary_cross_entropy, whose gradient follows PyTorch's clamped formula and has its own node below. Each loss is
    // one node named after it (MseLossBackward, ...; Note [Composite ops]), whatever primitives compute it.
    //
    // Note [Class-index picking]
    // cross_entropy and nll_loss pick lp[i, y_i] without a gather: a bool one-hot mask (class == target, and
    // target != ignore_index) selects with Where and the class dim is summed away. Where selects rather than
    // multiplies, so a -inf log-probability in a class that is not the target cannot turn into 0 * -inf = NaN,
    // and the pick is exact and twice differentiable.

    public static partial class Functional
    {
        /// <summary>Mean squared error between <paramref name="input"/> and <paramref name="target"/>.</summary>
        /// <remarks>Per element <c>(input - target)^2</c>; shapes must be equal; reduced as <paramref name="reduction"/> says (plain mean by default).</remarks>
        public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
        {
            if (Autocast.IsEnabled) (input, target) = (Autocast.Float32Optional(input)!, Autocast.Float32Optional(target)!); // Note [Autocast policy]
            const string op = "mse_loss";
            CheckLossPair(op, input, target);
            return Ops.Composite.Run("MseLossBackward", input, target, (x, t) =>
            {
                Tensor d = x - t!;
                return Reduce(d * d, reduction, op);
            });
        }

        /// <summary>Mean absolute error between <paramref name="input"/> and <paramref name="target"/>.</summary>
        /// <remarks>Per element <c>|input - target|</c>; the derivative is 0 where <c>input == target</c>.</remarks>
        public static Tensor L1Loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
        {
            if (Autocast.IsEnabled) (input, target) = (Autocast.Float32Optional(input)!, Autocast.Float32Optional(target)!); // Note [Autocast policy]
            const string op = "l1_loss";
            CheckLossPair(op, input, target);
            return Ops.Composite.Run("L1LossBackward", input, target, (x, t) => Reduce((x - t!).Abs(), reduction, op));
        }

        /// <summary>Smooth L1 loss: quadratic for small errors, linear for large ones.</summary>
        /// <remarks>
        /// With <c>d = |input - target|</c>: <c>0.5*d^2/beta</c> if <c>d &lt; beta</c>, else <c>d - 0.5*beta</c>.
        /// <paramref name="beta"/> must be non-negative; <c>beta == 0</c> is the L1 loss.
        /// </remarks>
        public static Tensor SmoothL1Loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double beta = 1.0)
        {
            if (Autocast.IsEnabled) (input, target) = (Autocast.Float32Optional(input)!, Autocast.Float32Optional(target)!); // Note [Autocast policy]
            const string op = "smooth_l1_loss";
            CheckLossPair(op, input, target);
            if (!(beta >= 0)) throw new ArgumentException($"{op}: beta must be non-negative, got {beta}");
            return Ops.Composite.Run("SmoothL1LossBackward", input, target, (x, t) =>
            {
                Tensor d = x - t!;
                if (beta == 0) return Reduce(d.Abs(), reduction, op);
                Tensor ad = d.Abs();
                return Reduce(Tensor.Where(ad.Lt(beta), d * d * 0.5 / beta, ad - 0.5 * beta), reduction, op);
            });
        }

        /// <summary>Huber loss: quadratic for small errors, linear with slope <paramref name="delta"/> for large ones.</summary>
        /// <remarks>With <c>d = |input - target|</c>: <c>0.5*d^2</c> if <c>d &lt; delta</c>, else <c>delta*(d - 0.5*delta)</c>; <paramref name="delta"/> must be positive.</remarks>
        public static Tensor HuberLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double delta = 1.0)
        {
            if (Autocast.IsEnabled) (input, target) = (Autocast.Float32Optional(input)!, Autocast.Float32Optional(target)!); // Note [Autocast policy]
            const string op = "huber_loss";
            CheckLossPair(op, input, target);
            if (!(delta > 0)) throw new ArgumentException($"{op}: delta must be positive, got {delta}");
            return Ops.Composite.Run("HuberLossBackward", input, target, (x, t) =>
            {
                Tensor d = x - t!;
                Tensor ad = d.Abs();
                return Reduce(Tensor.Where(ad.Lt(delta), d * d * 0.5, (ad - 0.5 * delta) * delta), reduction, op);
            });
        }

        /// <summary>Binary cross entropy between probabilities <paramref name="input"/> and targets in [0, 1].</summary>
        /// <remarks>
        /// Per element <c>-w*(t*max(ln p, -100) + (1 - t)*max(ln(1 - p), -100))</c>; <paramref name="weight"/> broadcasts to the
        /// input's shape, <paramref name="target"/> has the input's shape. The gradient is PyTorch's
        /// <c>w*(p - t)/max(p*(1 - p), 1e-12)</c>. Every input element must lie in [0, 1].
        /// </remarks>
        public static Tensor BinaryCrossEntropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean)
        {
            if (Autocast.IsEnabled) (input, target, weight) = (Autocast.Float32Optional(input)!, Autocast.Float32Optional(target)!, Autocast.Float32Optional(weight)); // Note [Autocast policy]
            const string op = "binary_cross_entropy";
            CheckLossPair(op, input, target);
            CheckBroadcastsTo(op, "weight", weight, input);
            CheckProbabilities(op, input);
            if (reduction == Reduction.None) return BinaryCrossEntropyCore(input, target, weight);
            return Ops.Composite.Run("BinaryCrossEntropyBackward", [input, target, weight],
                a => Reduce(BinaryCrossEntropyCore(a[0]!, a[1]!, a[2]), reduction, op));
        }

        private static Tensor BinaryCrossEntropyCore(Tensor input, Tensor target, Tensor? weight)
        {
            Tensor loss;
            using (Autograd.NoGrad()) loss = Ops.BinaryCrossEntropyBackward.Loss(input, target, weight);
            if (Autograd.ShouldRecord([input, target, weight])) loss.SetGradFn(new Ops.BinaryCrossEntropyBackward(input, target, weight));
            return loss;
        }

        /// <summary>Binary cross entropy on logits, combining a sigmoid and the loss in one stable formula.</summary>
        /// <remarks>
        /// Per element <c>w*((1 - t)*x + (1 + (pw - 1)*t)*softplus(-x))</c> = <c>-w*(pw*t*ln sigmoid(x) + (1 - t)*ln(1 - sigmoid(x)))</c>,
        /// finite for any finite logit. <paramref name="weight"/> and <paramref name="posWeight"/> (the weight of positive
        /// examples, usually <c>[C]</c> for the last dim) broadcast to the input's shape; <paramref name="target"/> has it.
        /// </remarks>
        public static Tensor BinaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor? weight = null, Tensor? posWeight = null,
            Reduction reduction = Reduction.Mean)
        {
            if (Autocast.IsEnabled) (input, target, weight, posWeight) = (Autocast.Float32Optional(input)!, Autocast.Float32Optional(target)!, Autocast.Float32Optional(weight), Autocast.Float32Optional(posWeight)); // Note [Autocast policy]
            const string op = "binary_cross_entropy_with_logits";
            CheckLossPair(op, input, target);
            CheckBroadcastsTo(op, "weight", weight, input);
            CheckBroadcastsTo(op, "pos_weight", posWeight, input);
            return Ops.Composite.Run("BinaryCrossEntropyWithLogitsBackward", [input, target, weight, posWeight], a =>
            {
                Tensor x = a[0]!, t = a[1]!;
                Tensor softplusNeg = StableSoftplus(-x);
                Tensor loss = a[3] is not { } pw
                    ? (1.0 - t) * x + softplusNeg
                    : (1.0 - t) * x + ((pw - 1.0) * t + 1.0) * softplusNeg;
                if (a[2] is { } w) loss *= w;
                return Reduce(loss, reduction, op);
            });
        }

        /// <summary>Focal loss on logits (torchvision's <c>sigmoid_focal_loss</c>), down-weighting easy examples.</summary>
        /// <remarks>
        /// <c>p = sigmoid(x)</c>, <c>ce = binary_cross_entropy_with_logits(x, t)</c>, <c>p_t = p*t + (1 - p)*(1 - t)</c>,
        /// <c>loss = ce*(1 - p_t)^gamma</c>, then, if <paramref name="alpha"/> &gt;= 0, multiplied by
        /// <c>alpha*t + (1 - alpha)*(1 - t)</c> (a negative alpha disables it). Unreduced by default.
        /// </remarks>
        public static Tensor SigmoidFocalLoss(Tensor input, Tensor target, double alpha = 0.25, double gamma = 2, Reduction reduction = Reduction.None)
        {
            if (Autocast.IsEnabled) (input, target) = (Autocast.Float32Optional(input)!, Autocast.Float32Optional(target)!); // Note [Autocast policy]
            const string op = "sigmoid_focal_loss";
            CheckLossPair(op, input, target);
            return Ops.Composite.Run("SigmoidFocalLossBackward", input, target, (x, t) =>
            {
                Tensor p = x.Sigmoid();
                Tensor ce = BinaryCrossEntropyWithLogits(x, t!, reduction: Reduction.None);
                Tensor pT = p * t! + (1.0 - p) * (1.0 - t!);
                Tensor loss = ce * (1.0 - pT).Pow(gamma);
                if (alpha >= 0) loss = (t! * alpha + (1.0 - t!) * (1 - alpha)) * loss;
                return Reduce(loss, reduction, op);
            });
        }

        /// <summary>Cross entropy between logits and class indices or class probabilities.</summary>
        /// <remarks>
        /// <paramref name="input"/> holds logits <c>[N, C]</c>, <c>[N, C, d1, ...]</c> or unbatched <c>[C]</c>; the class dim is 1 (0 unbatched).
        /// <c>lp = log_softmax(input, class_dim)</c>, <c>eps</c> = <paramref name="labelSmoothing"/>, <c>w</c> = <paramref name="weight"/> <c>[C]</c> (ones if null).
        /// <para>
        /// Int64 class indices (<c>[N]</c>, <c>[N, d1, ...]</c> or <c>[]</c>):
        /// <c>loss_i = (1 - eps)*w[y_i]*(-lp[i, y_i]) + (eps/C)*sum_c w[c]*(-lp[i, c])</c>; positions whose target is
        /// <paramref name="ignoreIndex"/> have loss 0 and no gradient. Mean divides the sum by <c>sum_{i not ignored} w[y_i]</c>.
        /// </para>
        /// <para>
        /// Probabilities (same shape and dtype as input): <c>t' = (1 - eps)*t + eps/C</c>, <c>loss_i = -sum_c w[c]*t'[i, c]*lp[i, c]</c>;
        /// mean divides by the number of samples/positions.
        /// </para>
        /// Stable for logits of any finite magnitude.
        /// </remarks>
        public static Tensor CrossEntropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean,
            long ignoreIndex = -100, double labelSmoothing = 0)
        {
            if (Autocast.IsEnabled) (input, target, weight) = (Autocast.Float32Optional(input)!, Autocast.Float32Optional(target)!, Autocast.Float32Optional(weight)); // Note [Autocast policy]
            const string op = "cross_entropy";
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(target);
            Tensor.CheckFloat(input, op);
            if (Ops.HalfCompute.Applies(input, target, weight)) // See Note [Half compute]
                return Ops.HalfCompute.Run(input, target, weight, (x, t, w) => CrossEntropy(x, t!, w, reduction, ignoreIndex, labelSmoothing));
            var (classDim, classes) = ClassLayout(op, input);
            CheckClassWeight(op, weight, input, classes);
            if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
                throw new ArgumentException($"{op}: label_smoothing must be in [0, 1], got {labelSmoothing}");
            int[] classShape = ClassShape(input.Rank, classDim, classes);

            if (target.DType.IsFloatingPoint())
            {
                if (!target.Shape.Equals(input.Shape))
                {
                    if (target.Dims.AsSpan().SequenceEqual(WithoutDim(input.Dims, classDim)))
                        throw new ArgumentException(
                            $"{op}: target has dtype {target.DType.Name()} and shape {target.Shape}, the shape of class indices, but class indices must be int64: " +
                            $"convert them with target.To(DType.Int64) (or pass {input.DType.Name()} class probabilities of the input's shape {input.Shape})");
                    throw TargetShapeError(op, input, target, classDim, probabilitiesAllowed: true);
                }
                if (target.DType != input.DType)
                    throw new ArgumentException($"{op}: probability target has dtype {target.DType.Name()} but input has dtype {input.DType.Name()}; they must match");
                return Ops.Composite.Run("CrossEntropyBackward", [input, target, weight], a =>
                {
                    Tensor lp = a[0]!.LogSoftmax(classDim);
                    Tensor? w = a[2]?.Reshape(classShape);
                    Tensor t = labelSmoothing > 0 ? a[1]! * (1 - labelSmoothing) + labelSmoothing / classes : a[1]!;
                    Tensor loss = -(w is null ? lp * t : lp * t * w).Sum(classDim);
                    return reduction == Reduction.Mean ? loss.Sum() / (double)(classes == 0 ? 0 : input.Numel / classes) : Reduce(loss, reduction, op);
                });
            }

            CheckClassTarget(op, input, target, classDim, classes, ignoreIndex, probabilitiesAllowed: true);
            if (weight is null && labelSmoothing == 0 && input.Rank == 2 && input.Dims[0] > 0 && classes > 0)
            {
                if (reduction is not (Reduction.None or Reduction.Mean or Reduction.Sum)) throw UnknownReduction(op, reduction);
                return Ops.CrossEntropyBackward.Fused(input, target, reduction, ignoreIndex);
            }
            Tensor mask = ClassMask(target, classDim, classes, ignoreIndex, input.Rank);
            return Ops.Composite.Run("CrossEntropyBackward", input, weight,
                (x, weight) => ClassIndexCrossEntropy(x, target, weight?.Reshape(classShape), mask, reduction, ignoreIndex, labelSmoothing, classDim, classes));
        }

        /// <summary>Cross entropy of class indices from logits, composed of log-softmax and the picks (the unfused path).</summary>
        private static Tensor ClassIndexCrossEntropy(Tensor input, Tensor target, Tensor? w, Tensor mask, Reduction reduction, long ignoreIndex,
            double labelSmoothing, int classDim, int classes)
        {
            const string op = "cross_entropy";
            Tensor logProbs = input.LogSoftmax(classDim);
            var (nll, picked) = NegativeLogLikelihood(logProbs, mask, w, classDim);
            if (labelSmoothing == 0) return ReduceClassLoss(nll, picked, reduction, op);

            // eps/C * sum_c w[c]*(-lp[i, c]), zero at ignored positions
            Tensor smooth = -(w is null ? logProbs : logProbs * w).Sum(classDim);
            smooth = Tensor.Where(target.Ne(Tensor.Scalar(ignoreIndex, DType.Int64)), smooth, Tensor.Scalar(0.0, smooth.DType));
            double eps = labelSmoothing;
            return reduction switch
            {
                Reduction.None => nll * (1 - eps) + smooth * (eps / classes),
                Reduction.Sum => nll.Sum() * (1 - eps) + smooth.Sum() * (eps / classes),
                Reduction.Mean => (nll.Sum() * (1 - eps) + smooth.Sum() * (eps / classes)) / picked.Sum(),
                _ => throw UnknownReduction(op, reduction),
            };
        }

        /// <summary>Negative log-likelihood of class indices given log-probabilities.</summary>
        /// <remarks>
        /// <paramref name="input"/> is <c>[N, C]</c>, <c>[N, C, d1, ...]</c> or <c>[C]</c>; <paramref name="target"/> holds int64 class
        /// indices of the input's shape without the class dim. <c>loss_i = -w[y_i]*input[i, y_i]</c>, 0 where the target is
        /// <paramref name="ignoreIndex"/>; mean divides the sum by <c>sum_{i not ignored} w[y_i]</c>.
        /// </remarks>
        public static Tensor NllLoss(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean, long ignoreIndex = -100)
        {
            if (Autocast.IsEnabled) (input, target, weight) = (Autocast.Float32Optional(input)!, Autocast.Float32Optional(target)!, Autocast.Float32Optional(weight)); // Note [Autocast policy]
            const string op = "nll_loss";
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(target);
            Tensor.CheckFloat(input, op);
            var (classDim, classes) = ClassLayout(op, input);
            CheckClassWeight(op, weight, input, classes);
            CheckClassTarget(op, input, target, classDim, classes, ignoreIndex, probabilitiesAllowed: false);
            Tensor mask = ClassMask(target, classDim, classes, ignoreIndex, input.Rank);
            return Ops.Composite.Run("NllLossBackward", input, weight, (x, weight) =>
            {
                var (nll, picked) = NegativeLogLikelihood(x, mask, weight?.Reshape(ClassShape(x.Rank, classDim, classes)), classDim);
                return ReduceClassLoss(nll, picked, reduction, op);
            });
        }

        // ---- helpers ----

        private static Tensor Reduce(Tensor loss, Reduction reduction, string op) => reduction switch
        {
            Reduction.None => loss,
            Reduction.Mean => loss.Mean(),
            Reduction.Sum => loss.Sum(),
            _ => throw UnknownReduction(op, reduction),
        };

        private static ArgumentException UnknownReduction(string op, Reduction reduction)
            => new($"{op}: unknown reduction {reduction}; expected None, Mean or Sum");

        /// <summary>Mean divides by the summed weights of the picked (non-ignored) targets.</summary>
        private static Tensor ReduceClassLoss(Tensor loss, Tensor pickedWeight, Reduction reduction, string op)
            => reduction == Reduction.Mean ? loss.Sum() / pickedWeight.Sum() : Reduce(loss, reduction, op);

        /// <summary>
        /// <c>-w[y_i]*lp[i, y_i]</c> (0 where ignored) and the picked weights <c>w[y_i]</c> (1 without weights, 0 where ignored).
        /// See Note [Class-index picking].
        /// </summary>
        private static (Tensor Loss, Tensor PickedWeight) NegativeLogLikelihood(Tensor logProbs, Tensor mask, Tensor? w, int classDim)
        {
            Tensor zero = Tensor.Scalar(0.0, logProbs.DType);
            Tensor picked = Tensor.Where(mask, logProbs, zero).Sum(classDim);
            if (w is null) return (-picked, mask.To(logProbs.DType).Sum(classDim));
            Tensor pickedWeight = Tensor.Where(mask, w, zero).Sum(classDim);
            return (-(pickedWeight * picked), pickedWeight);
        }

        /// <summary>Bool one-hot over the class dim: class c == target, and the target is not <paramref name="ignoreIndex"/>.</summary>
        private static Tensor ClassMask(Tensor target, int classDim, int classes, long ignoreIndex, int rank)
        {
            Tensor classIds = Tensor.Arange(classes, DType.Int64).Reshape(ClassShape(rank, classDim, classes));
            Tensor t = target.Unsqueeze(classDim);
            Tensor mask = classIds.Eq(t);
            // An ignore_index outside [0, C) never equals a class id, so only an in-range one needs masking.
            if (ignoreIndex >= 0 && ignoreIndex < classes) mask = mask.LogicalAnd(t.Ne(Tensor.Scalar(ignoreIndex, DType.Int64)));
            return mask;
        }

        private static int[] ClassShape(int rank, int classDim, int classes)
        {
            var shape = new int[rank];
            Array.Fill(shape, 1);
            shape[classDim] = classes;
            return shape;
        }

        private static (int ClassDim, int Classes) ClassLayout(string op, Tensor input)
        {
            if (input.Rank == 0)
                throw new ArgumentException($"{op}: input must have a class dimension ([C], [N, C] or [N, C, d1, ...]), got a 0-d tensor");
            int classDim = input.Rank == 1 ? 0 : 1;
            return (classDim, input.Dims[classDim]);
        }

        private static void CheckClassWeight(string op, Tensor? weight, Tensor input, int classes)
        {
            if (weight is null) return;
            if (weight.Rank != 1 || weight.Dims[0] != classes)
                throw new ArgumentException($"{op}: weight has shape {weight.Shape} but input of shape {input.Shape} has {classes} classes; expected [{classes}]");
            if (weight.DType != input.DType)
                throw new ArgumentException($"{op}: weight has dtype {weight.DType.Name()} but input has dtype {input.DType.Name()}; they must match");
        }

        private static void CheckClassTarget(string op, Tensor input, Tensor target, int classDim, int classes, long ignoreIndex, bool probabilitiesAllowed)
        {
            if (target.DType != DType.Int64)
                throw new ArgumentException(probabilitiesAllowed
                    ? $"{op}: target has dtype {target.DType.Name()}; expected int64 class indices or {input.DType.Name()} probabilities of input's shape {input.Shape}"
                    : $"{op}: target has dtype {target.DType.Name()}; expected int64 class indices (convert with target.To(DType.Int64))");
            int[] expected = WithoutDim(input.Dims, classDim);
            if (!target.Dims.AsSpan().SequenceEqual(expected)) throw TargetShapeError(op, input, target, classDim, probabilitiesAllowed);
            ReadOnlySpan<long> labels = target.ContiguousData().Span<long>();
            foreach (long y in labels)
                if ((y < 0 || y >= classes) && y != ignoreIndex)
                    throw new ArgumentException(
                        $"{op}: target {y} is out of range for {classes} classes (expected 0 to {classes - 1}, or ignore_index {ignoreIndex})");
        }

        private static ArgumentException TargetShapeError(string op, Tensor input, Tensor target, int classDim, bool probabilitiesAllowed)
        {
            string indices = Shape.Format(WithoutDim(input.Dims, classDim));
            return new ArgumentException(probabilitiesAllowed
                ? $"{op}: target has shape {target.Shape} but input {input.Shape} expects {indices} (class indices) or {input.Shape} (probabilities)"
                : $"{op}: target has shape {target.Shape} but input {input.Shape} expects {indices} (class indices)");
        }

        private static int[] WithoutDim(int[] dims, int dim)
        {
            var result = new int[dims.Length - 1];
            for (int i = 0, k = 0; i < dims.Length; i++) if (i != dim) result[k++] = dims[i];
            return result;
        }

        private static void CheckLossPair(string op, Tensor input, Tensor target)
        {
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(target);
            Tensor.CheckFloat(input, op);
            if (target.DType != input.DType)
                throw new ArgumentException($"{op}: target has dtype {target.DType.Name()} but input has dtype {input.DType.Name()}; they must match");
            if (!target.Shape.Equals(input.Shape))
                throw new ArgumentException($"{op}: target has shape {target.Shape} but input has shape {input.Shape}; they must be equal");
        }

        private static void CheckBroadcastsTo(string op, string name, Tensor? t, Tensor input)
        {
            if (t is null) return;
            if (t.DType != input.DType)
                throw new ArgumentException($"{op}: {name} has dtype {t.DType.Name()} but input has dtype {input.DType.Name()}; they must match");
            bool fits = t.Rank <= input.Rank;
            for (int i = 1; fits && i <= t.Rank; i++) fits = t.Dims[^i] == 1 || t.Dims[^i] == input.Dims[^i];
            if (!fits)
                throw new ArgumentException($"{op}: {name} of shape {t.Shape} cannot be broadcast to input of shape {input.Shape}");
        }

        private static void CheckProbabilities(string op, Tensor input)
        {
            Tensor c = input.DType.IsHalf() ? input.ConvertData(DType.Float32) : input.ContiguousData(); // See Note [Half compute]
            bool ok = c.DType == DType.Float32 ? InUnitInterval(c.Span<float>()) : InUnitInterval(c.Span<double>());
            if (!ok) throw new ArgumentException($"{op}: all elements of input (shape {input.Shape}) must be probabilities in [0, 1]; apply Sigmoid first or use BinaryCrossEntropyWithLogits");

            static bool InUnitInterval<T>(ReadOnlySpan<T> values) where T : System.Numerics.IFloatingPointIeee754<T>
            {
                foreach (T v in values)
                    if (!(v >= T.Zero && v <= T.One)) return false;
                return true;
            }
        }
    }
}

namespace Nabla.Ops
{
    // bce = -w (t max(ln p, -100) + (1-t) max(ln(1-p), -100));
    // d/dp = w (p - t) / max(p (1-p), 1e-12) (PyTorch's form), d/dt = w (max(ln(1-p), -100) - max(ln p, -100)), d/dw = bce/w
    internal sealed class BinaryCrossEntropyBackward : Node
    {
        private readonly bool _weighted;

        public BinaryCrossEntropyBackward(Tensor p, Tensor t, Tensor? w) : base(p, t, w)
        {
            Save(p);
            Save(t);
            Save(w);
            _weighted = w is not null;
        }

        /// <summary>The unreduced loss, in differentiable ops (the forward runs it unrecorded).</summary>
        public static Tensor Loss(Tensor p, Tensor t, Tensor? w)
        {
            Tensor logP = p.Log().Clamp(min: -100), log1mP = (-p).Log1p().Clamp(min: -100);
            Tensor loss = -(t * logP + (1.0 - t) * log1mP);
            return w is null ? loss : loss * w;
        }

        public override Tensor?[] Backward(Tensor g)
        {
            Tensor p = Saved(0), t = Saved(1);
            Tensor gw = _weighted ? g * Saved(2) : g;
            Tensor? dp = NeedsGrad(0) ? gw * (p - t) / (p * (1.0 - p)).Clamp(min: 1e-12) : null;
            Tensor? dt = NeedsGrad(1) ? gw * ((-p).Log1p().Clamp(min: -100) - p.Log().Clamp(min: -100)) : null;
            Tensor? dw = NeedsGrad(2) ? g * Loss(p, t, null) : null;
            return [dp, dt, dw];
        }
    }
}
