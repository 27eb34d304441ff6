using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nabla.Optim;

/// <summary>The update shared by <see cref="Adam"/> (L2 weight decay) and <see cref="AdamW"/> (decoupled weight decay).</summary>
internal static class AdamUpdate
{
    private const string ExpAvg = "expAvg";
    private const string ExpAvgSq = "expAvgSq";
    private const string MaxExpAvgSq = "maxExpAvgSq";

    /// <summary>The buffers Adam and AdamW keep per parameter.</summary>
    public static IReadOnlyCollection<string> BufferNames { get; } = [ExpAvg, ExpAvgSq, MaxExpAvgSq];

    public static void Apply(ParamGroup group, Tensor parameter, Tensor gradient, ParameterState state, bool decoupled, int threads)
    {
        Tensor m = state.GetOrCreateBuffer(ExpAvg, parameter);
        Tensor v = state.GetOrCreateBuffer(ExpAvgSq, parameter);
        Tensor? vMax = group.AmsGrad ? state.GetOrCreateBuffer(MaxExpAvgSq, parameter) : null;
        if (parameter.DType == DType.Float32) Run<float>(group, parameter, gradient, m, v, vMax, state.Step, decoupled, threads);
        else Run<double>(group, parameter, gradient, m, v, vMax, state.Step, decoupled, threads);
        parameter.Storage.Version++;
        m.Storage.Version++;
        v.Storage.Version++;
        if (vMax is not null) vMax.Storage.Version++;
    }

    private static void Run<T>(ParamGroup group, Tensor parameter, Tensor gradient, Tensor m, Tensor v, Tensor? vMax, long step, bool decoupled, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rule = new Rule<T>(group, step, decoupled);
        UpdateLoop.Run<T, Rule<T>>(rule, parameter, gradient, m, v, vMax, threads);
    }

    private readonly struct Rule<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _beta1, _oneMinusBeta1, _beta2, _oneMinusBeta2, _weightDecay, _decay, _negStepSize, _bc2Sqrt, _eps;
        private readonly bool _decoupled, _hasWeightDecay, _amsGrad;

        public Rule(ParamGroup group, long step, bool decoupled)
        {
            double lr = group.Lr, beta1 = group.Beta1, beta2 = group.Beta2, wd = group.WeightDecay;
            double t = step;
            double biasCorrection1 = 1 - Math.Pow(beta1, t);
            double biasCorrection2 = 1 - Math.Pow(beta2, t);
            _beta1 = UpdateLoop.Scalar<T>(beta1);
            _oneMinusBeta1 = UpdateLoop.Scalar<T>(1 - beta1);
            _beta2 = UpdateLoop.Scalar<T>(beta2);
            _oneMinusBeta2 = UpdateLoop.Scalar<T>(1 - beta2);
            _weightDecay = UpdateLoop.Scalar<T>(wd);
            _decay = UpdateLoop.Scalar<T>(1 - lr * wd);
            _negStepSize = UpdateLoop.Scalar<T>(-(lr / biasCorrection1));
            _bc2Sqrt = UpdateLoop.Scalar<T>(Math.Sqrt(biasCorrection2));
            _eps = UpdateLoop.Scalar<T>(group.Eps);
            _decoupled = decoupled;
            _hasWeightDecay = wd != 0;
            _amsGrad = group.AmsGrad;
        }

        /// <summary>expAvg, expAvgSq and (with AMSGrad) maxExpAvgSq.</summary>
        public int Buffers => _amsGrad ? 0b111 : 0b011;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<TL>(ref T pRef, ref T gRef, ref T mRef, ref T vRef, ref T vMaxRef, nuint i) where TL : struct, ILanes<TL, T>
        {
            TL p = TL.Load(ref pRef, i), g = TL.Load(ref gRef, i);
            if (_decoupled) p *= TL.Splat(_decay);                                          // p.mul_(1 - lr*wd)
            else if (_hasWeightDecay) g += TL.Splat(_weightDecay) * p;                      // grad.add(p, alpha=wd)
            TL m = TL.Load(ref mRef, i) * TL.Splat(_beta1) + TL.Splat(_oneMinusBeta1) * g;  // exp_avg.mul_(b1).add_(g, alpha=1-b1)
            TL v = TL.Load(ref vRef, i) * TL.Splat(_beta2) + TL.Splat(_oneMinusBeta2) * g * g; // exp_avg_sq.mul_(b2).addcmul_(g, g, value=1-b2)
            TL second = v;
            if (_amsGrad)
            {
                second = TL.Max(TL.Load(ref vMaxRef, i), v);                                // torch.maximum(max_exp_avg_sq, exp_avg_sq)
                TL.Store(second, ref vMaxRef, i);
            }
            TL denom = TL.Sqrt(second) / TL.Splat(_bc2Sqrt) + TL.Splat(_eps);               // (v.sqrt() / sqrt(bc2)).add_(eps)
            p += TL.Splat(_negStepSize) * m / denom;                                        // p.addcdiv_(m, denom, value=-lr/bc1)
            TL.Store(m, ref mRef, i);
            TL.Store(v, ref vRef, i);
            TL.Store(p, ref pRef, i);
        }
    }
}
