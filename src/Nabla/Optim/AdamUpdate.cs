using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nabla.Optim;

/// <summary>The update shared by <see cref="Adam"/> (L2 weight decay) and <see cref="AdamW"/> (decoupled weight decay).</summary>
internal static class AdamUpdate
{
    private const string ExpAvg = "expAvg";
    private const string ExpAvgSq = "expAvgSq";
    private const string MaxExpAvgSq = "maxExpAvgSq";

    public static void Apply(ParamGroup group, Tensor parameter, Tensor gradient, ParameterState state, bool decoupled)
    {
        Tensor m = state.GetOrCreateBuffer(ExpAvg, parameter);
        Tensor v = state.GetOrCreateBuffer(ExpAvgSq, parameter);
        Tensor? vMax = group.AmsGrad ? state.GetOrCreateBuffer(MaxExpAvgSq, parameter) : null;
        if (parameter.DType == DType.Float32) Run<float>(group, parameter, gradient, m, v, vMax, state.Step, decoupled);
        else Run<double>(group, parameter, gradient, m, v, vMax, state.Step, decoupled);
        parameter.Storage.Version++;
        m.Storage.Version++;
        v.Storage.Version++;
        if (vMax is not null) vMax.Storage.Version++;
    }

    private static void Run<T>(ParamGroup group, Tensor parameter, Tensor gradient, Tensor m, Tensor v, Tensor? vMax, long step, bool decoupled)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rule = new Rule<T>(group, step, decoupled);
        UpdateLoop.Run<T, Rule<T>>(rule, parameter, gradient, m, v, vMax, Parallelism.MaxThreads);
    }

    private readonly struct Rule<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Vector<T> _beta1, _oneMinusBeta1, _beta2, _oneMinusBeta2, _weightDecay, _decay, _negStepSize, _bc2Sqrt, _eps;
        private readonly bool _decoupled, _hasWeightDecay, _amsGrad;

        public Rule(ParamGroup group, long step, bool decoupled)
        {
            double lr = group.Lr, beta1 = group.Beta1, beta2 = group.Beta2, wd = group.WeightDecay;
            double t = step;
            double biasCorrection1 = 1 - Math.Pow(beta1, t);
            double biasCorrection2 = 1 - Math.Pow(beta2, t);
            _beta1 = UpdateLoop.Splat<T>(beta1);
            _oneMinusBeta1 = UpdateLoop.Splat<T>(1 - beta1);
            _beta2 = UpdateLoop.Splat<T>(beta2);
            _oneMinusBeta2 = UpdateLoop.Splat<T>(1 - beta2);
            _weightDecay = UpdateLoop.Splat<T>(wd);
            _decay = UpdateLoop.Splat<T>(1 - lr * wd);
            _negStepSize = UpdateLoop.Splat<T>(-(lr / biasCorrection1));
            _bc2Sqrt = UpdateLoop.Splat<T>(Math.Sqrt(biasCorrection2));
            _eps = UpdateLoop.Splat<T>(group.Eps);
            _decoupled = decoupled;
            _hasWeightDecay = wd != 0;
            _amsGrad = group.AmsGrad;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(ref Vector<T> p, Vector<T> g, ref Vector<T> m, ref Vector<T> v, ref Vector<T> vMax)
        {
            if (_decoupled) p *= _decay;                                    // p.mul_(1 - lr*wd)
            else if (_hasWeightDecay) g += _weightDecay * p;                // grad.add(p, alpha=wd)
            m = m * _beta1 + _oneMinusBeta1 * g;                            // exp_avg.mul_(b1).add_(g, alpha=1-b1)
            v = v * _beta2 + _oneMinusBeta2 * g * g;                        // exp_avg_sq.mul_(b2).addcmul_(g, g, value=1-b2)
            Vector<T> second = v;
            if (_amsGrad) second = vMax = Vector.Max(vMax, v);              // torch.maximum(max_exp_avg_sq, exp_avg_sq)
            Vector<T> denom = Vector.SquareRoot(second) / _bc2Sqrt + _eps;  // (v.sqrt() / sqrt(bc2)).add_(eps)
            p += _negStepSize * m / denom;                                  // p.addcdiv_(m, denom, value=-lr/bc1)
        }
    }
}
