using System.Numerics;
using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla.Ops
{
    /// <summary>
    /// <see cref="Functional.LayerNorm"/> as one kernel and one node (Note [Fused layer norm]): saves the input, the
    /// weight and one mean and reciprocal standard deviation per row.
    /// </summary>
    internal sealed class NativeLayerNormBackward : Node
    {
        private readonly int[] _dims;
        private readonly double _eps;
        private readonly bool _hasWeight;

        // x: the input's elements, contiguous (the input itself when it is)
        private NativeLayerNormBackward(Tensor input, Tensor x, Tensor? weight, Tensor? bias, Tensor mean, Tensor rstd, int[] dims, double eps)
            : base(input, weight, bias)
        {
            (_dims, _eps, _hasWeight) = (dims, eps, weight is not null);
            Save(x);
            Save(mean);
            Save(rstd);
            Save(weight);
        }

        /// <summary>The normalized <paramref name="input"/> over its last <paramref name="dims"/> (checked, non-empty).</summary>
        public static Tensor Forward(Tensor input, int[] dims, Tensor? weight, Tensor? bias, double eps)
        {
            if (HalfCompute.Applies(input, weight, bias)) return HalfCompute.Run(input, weight, bias, (x, w, b) => Forward(x, dims, w, b, eps)); // See Note [Half compute]
            int n = 1;
            foreach (int d in dims) n *= input.Dims[d];
            int rows = (int)(input.Numel / n);
            Tensor x = input.ContiguousData();
            if (x.Offset != 0) x = x.Clone();
            Tensor y = Tensor.Empty(input.DType, input.Dims), mean = Tensor.Empty(input.DType, [rows]), rstd = Tensor.Empty(input.DType, [rows]);
            if (input.DType == DType.Float32) Run<float>(x, weight, bias, eps, rows, n, y, mean, rstd);
            else Run<double>(x, weight, bias, eps, rows, n, y, mean, rstd);
            if (Autograd.ShouldRecord([input, weight, bias]))
                y.SetGradFn(new NativeLayerNormBackward(input, x, weight, bias, mean, rstd, dims, eps));
            return y;
        }

        private static void Run<T>(Tensor x, Tensor? w, Tensor? b, double eps, int rows, int n, Tensor y, Tensor mean, Tensor rstd)
            where T : unmanaged, IFloatingPointIeee754<T>
            => LayerNormKernel.Forward(x.Data<T>(), rows, n, Flat<T>(w), Flat<T>(b), T.CreateTruncating(eps), y.Data<T>(), mean.Data<T>(), rstd.Data<T>());

        private static T[]? Flat<T>(Tensor? t) where T : unmanaged
        {
            if (t is null) return null;
            Tensor c = t.ContiguousData();
            return c.Offset == 0 && c.Data<T>().Length == c.Numel ? c.Data<T>() : c.Span<T>().ToArray();
        }

        public override Tensor?[] Backward(Tensor g)
        {
            Tensor x = Saved(0), mean = Saved(1), rstd = Saved(2);
            Tensor? w = _hasWeight ? Saved(3) : null;
            if (Autograd.IsGradEnabled) return DifferentiableGradients(g, x, w);
            int rows = mean.Dims[0];
            Tensor? dx = NeedsGrad(0) ? Tensor.Empty(x.DType, x.Dims) : null;
            Tensor? dw = w is not null && NeedsGrad(1) ? Tensor.Empty(x.DType, w.Dims) : null;
            Tensor? db = NeedsGrad(2) ? Tensor.Empty(x.DType, x.Dims[(x.Rank - _dims.Length)..]) : null;
            Tensor gc = g.ContiguousData();
            if (gc.Offset != 0) gc = gc.Clone();
            if (x.DType == DType.Float32) Gradients<float>(x, gc, w, mean, rstd, rows, dx, dw, db);
            else Gradients<double>(x, gc, w, mean, rstd, rows, dx, dw, db);
            return [dx, dw, db];
        }

        private static void Gradients<T>(Tensor x, Tensor g, Tensor? w, Tensor mean, Tensor rstd, int rows, Tensor? dx, Tensor? dw, Tensor? db)
            where T : unmanaged, IFloatingPointIeee754<T>
            => LayerNormKernel.Backward(x.Data<T>(), g.Data<T>(), rows, (int)(x.Numel / Math.Max(rows, 1)), Flat<T>(w), mean.Data<T>(),
                rstd.Data<T>(), dx?.Data<T>(), dw?.Data<T>(), db?.Data<T>());

        // The same gradients in differentiable ops (for createGraph), from x̂ recomputed on the saved input.
        private Tensor?[] DifferentiableGradients(Tensor g, Tensor x, Tensor? w)
        {
            Tensor centered = x - x.Mean(_dims, keepDim: true);
            Tensor rstd = ((centered * centered).Mean(_dims, keepDim: true) + _eps).Rsqrt();
            Tensor xhat = centered * rstd;
            Tensor gw = w is null ? g : g * w;
            Tensor? dx = NeedsGrad(0) ? rstd * (gw - gw.Mean(_dims, keepDim: true) - xhat * (gw * xhat).Mean(_dims, keepDim: true)) : null;
            int[] lead = [.. Enumerable.Range(0, x.Rank - _dims.Length)];
            Tensor OverRows(Tensor t) => lead.Length == 0 ? t : t.Sum(lead);
            return [dx, w is not null && NeedsGrad(1) ? OverRows(g * xhat) : null, NeedsGrad(2) ? OverRows(g) : null];
        }
    }
}
