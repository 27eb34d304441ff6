using Nabla.Tests.Runtime;

namespace Nabla.Tests.Graph;

/// <summary>
/// A checkpointed dropout drawing from the default generator: the recomputation sets it back and then restores it.
/// Alone in the process-wide group, since other tests draw from the default generator too.
/// </summary>
[Collection(ProcessWideGroup.Name)]
public class CheckpointDefaultGeneratorTests
{
    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Run_DropoutOnTheDefaultGenerator_BitIdenticalAndTheGeneratorWhereThePlainRunLeavesIt(DType dtype)
    {
        Generator.Default.ManualSeed(11);
        var (plainLoss, plainGrads) = CheckpointTests.LossAndGrads(CheckpointTests.Mlp(dtype, 0.3, 3, null, null), CheckpointTests.Input(dtype, true), checkpointed: false);
        ulong[] plainState = Generator.Default.GetState();
        Generator.Default.ManualSeed(11);
        var (loss, grads) = CheckpointTests.LossAndGrads(CheckpointTests.Mlp(dtype, 0.3, 3, null, null), CheckpointTests.Input(dtype, true), checkpointed: true);
        Assert.Equal(plainState, Generator.Default.GetState());
        CheckpointTests.AssertBitIdentical(plainLoss, loss, "loss");
        for (int i = 0; i < grads.Length; i++) CheckpointTests.AssertBitIdentical(plainGrads[i]!, grads[i]!, $"gradient {i}");
    }
}
