using Nabla.Diagnostics;
using Nabla.Models;
using Nabla.NN;
using Nabla.Tests.Graph;

namespace Nabla.Tests.Models;

/// <summary>Gpt.GradientCheckpointing and Checkpoint.Sequential: bit for bit the plain run, with the graph holding far less.</summary>
public class GptCheckpointTests
{
    private static readonly GptConfig Config = GptTests.Tiny with { NLayer = 4, Dropout = 0.2 };

    private static (Tensor Loss, Tensor[] Grads, long Held) Step(DType dtype, bool checkpointing)
    {
        var model = new Gpt(Config, dtype, new Generator(1)) { GradientCheckpointing = checkpointing };
        Tensor idx = GptTests.Ids(3, 8, Config.VocabSize, 2), targets = GptTests.Ids(3, 8, Config.VocabSize, 3);
        var (_, loss) = model.Forward(idx, targets);
        long held = GraphMemory.SavedBytes(loss);
        loss.Backward();
        return (loss, [.. model.Parameters().Select(p => p.Grad!)], held);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void GradientCheckpointing_WithDropout_LossAndEveryGradientBitIdentical(DType dtype)
    {
        var plain = Step(dtype, checkpointing: false);
        var ck = Step(dtype, checkpointing: true);
        CheckpointTests.AssertBitIdentical(plain.Loss, ck.Loss, "loss");
        for (int i = 0; i < plain.Grads.Length; i++) CheckpointTests.AssertBitIdentical(plain.Grads[i], ck.Grads[i], $"gradient {i}");
    }

    [Theory]
    [InlineData(DType.BFloat16)]
    [InlineData(DType.Float16)]
    public void GradientCheckpointing_UnderAutocast_RecomputesInTheForwardsPrecisionBitIdentical(DType autocast)
    {
        // The forward runs under autocast and backward outside it: the recomputation must cast as the forward did.
        (Tensor Loss, Tensor[] Grads) Run(bool checkpointing)
        {
            var model = new Gpt(Config, generator: new Generator(1)) { GradientCheckpointing = checkpointing };
            Tensor idx = GptTests.Ids(3, 8, Config.VocabSize, 2), targets = GptTests.Ids(3, 8, Config.VocabSize, 3);
            Tensor loss;
            using (Autocast.Enable(autocast)) loss = model.Forward(idx, targets).Loss;
            loss.Backward();
            return (loss, [.. model.Parameters().Select(p => p.Grad!)]);
        }
        var plain = Run(checkpointing: false);
        var ck = Run(checkpointing: true);
        CheckpointTests.AssertBitIdentical(plain.Loss, ck.Loss, "loss");
        for (int i = 0; i < plain.Grads.Length; i++) CheckpointTests.AssertBitIdentical(plain.Grads[i], ck.Grads[i], $"gradient {i}");
    }

    [Fact]
    public void GradientCheckpointing_GraphBetweenForwardAndBackward_HoldsUnderAThirdOfThePlainBytes()
    {
        long plain = Step(DType.Float32, checkpointing: false).Held, ck = Step(DType.Float32, checkpointing: true).Held;
        Assert.True(ck * 3 < plain, $"the checkpointed graph holds {ck} bytes, the plain one {plain}");
    }

    [Fact]
    public void GradientCheckpointing_InEvaluationWithoutGrad_GivesThePlainLogits()
    {
        var model = new Gpt(Config, generator: new Generator(1)).Eval();
        Tensor idx = GptTests.Ids(2, 8, Config.VocabSize, 2), plain, ck;
        using (Autograd.NoGrad())
        {
            plain = model.Forward(idx);
            model.GradientCheckpointing = true;
            ck = model.Forward(idx);
        }
        CheckpointTests.AssertBitIdentical(plain, ck, "logits");
    }

    private sealed class Counting : Module
    {
        public Counting(Module inner) => Inner = RegisterModule("inner", inner);

        public Module Inner { get; }

        public int Calls { get; private set; }

        protected override Tensor OnForward(Tensor input)
        {
            Calls++;
            return Inner.Forward(input);
        }
    }

    [Fact]
    public void Sequential_ThreeSegments_RecomputesAllButTheLastAndGivesThePlainGradients()
    {
        Counting[] Layers() => [.. Enumerable.Range(0, 7).Select(i => new Counting(i % 2 == 0 ? new Linear(5, 5, dtype: DType.Float64, generator: new Generator((ulong)i)) : new Tanh()))];
        Counting[] plainLayers = Layers(), layers = Layers();
        var x = Tensor.Randn([4, 5], DType.Float64, new Generator(9), requiresGrad: true);
        Tensor?[] plain = Autograd.Grad([new Sequential(plainLayers).Forward(x).Square().Sum()], [x, ((Linear)plainLayers[0].Inner).Weight]);
        Tensor?[] ck = Autograd.Grad([Checkpoint.Sequential(layers, 3, x).Square().Sum()], [x, ((Linear)layers[0].Inner).Weight]);
        CheckpointTests.AssertBitIdentical(plain[0]!, ck[0]!, "dx");
        CheckpointTests.AssertBitIdentical(plain[1]!, ck[1]!, "dw");
        // 7 modules in 3 segments of 2: modules 0-3 run twice, the last segment (4-6, with the remainder) once.
        Assert.Equal([2, 2, 2, 2, 1, 1, 1], layers.Select(l => l.Calls));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void Sequential_SegmentsOutOfRange_AreRefusedWithTheRange(int segments)
    {
        Module[] modules = [new Tanh(), new Tanh(), new Tanh()];
        var ex = Assert.Throws<ArgumentException>(() => Checkpoint.Sequential(modules, segments, Tensor.Ones([2])));
        Assert.Contains($"between 1 and the number of modules (3), got {segments}", ex.Message);
    }
}
