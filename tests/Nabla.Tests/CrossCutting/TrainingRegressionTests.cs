using Nabla.Optim;

namespace Nabla.Tests.CrossCutting;

/// <summary>Every optimizer trains a small float32 MLP to a loss threshold on a fixed seed.</summary>
public class TrainingRegressionTests
{
    public static TheoryData<string> Optimizers() => ["Sgd", "SgdNesterov", "Adam", "AdamAmsGrad", "AdamW", "RmsProp", "RmsPropCentered", "Adagrad", "NAdam", "RAdam", "Adamax", "Adadelta"];

    private static Optimizer Create(string name, IReadOnlyList<Tensor> ps) => name switch
    {
        "Sgd" => new Sgd(ps, lr: 0.1, momentum: 0.9),
        "SgdNesterov" => new Sgd(ps, lr: 0.1, momentum: 0.9, nesterov: true),
        "Adam" => new Adam(ps, lr: 0.02),
        "AdamAmsGrad" => new Adam(ps, lr: 0.02, amsGrad: true),
        "AdamW" => new AdamW(ps, lr: 0.02, weightDecay: 1e-3),
        "RmsProp" => new RmsProp(ps, lr: 0.005),
        "RmsPropCentered" => new RmsProp(ps, lr: 0.005, momentum: 0.5, centered: true),
        "Adagrad" => new Adagrad(ps, lr: 0.1),
        "NAdam" => new NAdam(ps, lr: 0.02),
        "RAdam" => new RAdam(ps, lr: 0.05),
        "Adamax" => new Adamax(ps, lr: 0.03),
        "Adadelta" => new Adadelta(ps, lr: 1.0, rho: 0.9),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void TrainMlp_Float32_ReachesLossThreshold(string name)
    {
        var gen = new Generator(42);
        // Teacher: y = tanh(x A^T) c^T, learned by a wider student from 64 samples.
        Tensor x = Tensor.Randn([64, 4], DType.Float32, gen);
        Tensor y = (x.MatMul(Tensor.Randn([3, 4], DType.Float32, gen).MT)).Tanh().MatMul(Tensor.Randn([1, 3], DType.Float32, gen).MT);
        Tensor[] ps =
        [
            Tensor.Randn([16, 4], DType.Float32, gen) * 0.5f, Tensor.Zeros([16]),
            Tensor.Randn([1, 16], DType.Float32, gen) * 0.25f, Tensor.Zeros([1]),
        ];
        foreach (Tensor p in ps) p.RequiresGrad = true;
        Optimizer optimizer = Create(name, ps);
        var scheduler = new CosineAnnealingLR(optimizer, tMax: 300, etaMin: 0);

        Tensor Loss()
        {
            Tensor d = (x.MatMul(ps[0].MT) + ps[1]).Tanh().MatMul(ps[2].MT) + ps[3] - y;
            return (d * d).Mean();
        }
        double initial = Loss().Item();
        for (int step = 0; step < 300; step++)
        {
            optimizer.ZeroGrad();
            Tensor loss = Loss();
            loss.Backward();
            GradClip.ClipGradNorm(ps, maxNorm: 5.0);
            optimizer.Step();
            scheduler.Step();
        }
        double final = Loss().Item();
        Assert.True(double.IsFinite(final), $"{name}: loss is {final}");
        Assert.True(final < 0.02 && final < 0.05 * initial, $"{name}: loss went from {initial} to {final}");
        Assert.All(ps, p => Assert.Equal(DType.Float32, p.DType));
    }
}
