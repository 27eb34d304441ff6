using Nabla.Diagnostics;

namespace Nabla.Tests.Diagnostics;

/// <summary><see cref="GraphMemory.SavedBytes"/> on graphs that hold 16-bit tensors (two bytes per element).</summary>
public class GraphMemoryHalfTests
{
    [Theory]
    [InlineData(DType.BFloat16)]
    [InlineData(DType.Float16)]
    public void SavedBytes_HalfOperands_TwoBytesPerElement(DType dtype)
    {
        Tensor a = Tensor.Randn([4, 8], dtype, new Generator(1)), b = Tensor.Randn([8, 3], dtype, new Generator(2));
        a.RequiresGrad = true;
        b.RequiresGrad = true;
        Tensor y = a.MatMul(b); // saves both operands for backward
        Assert.Equal(2L * (4 * 8 + 8 * 3), GraphMemory.SavedBytes(y));
    }

    [Theory]
    [InlineData(DType.BFloat16)]
    [InlineData(DType.Float16)]
    public void SavedBytes_HalfOpComputedInFloat32_CountsWhatItsOwnGraphSaved(DType dtype)
    {
        // Softmax of a 16-bit input runs in float32 as one composite node (Note [Half compute]): its inner softmax saves
        // the float32 output (4 bytes an element), the node its 16-bit result and the input it differentiates (2 each).
        Tensor x = Tensor.Randn([4, 8], dtype, new Generator(3));
        x.RequiresGrad = true;
        Tensor y = x.Softmax(-1);
        Assert.Equal("SoftmaxBackward", y.GradFn!.Name);
        Assert.Equal(4L * 32 + 2L * 32 + 2L * 32, GraphMemory.SavedBytes(y));
    }
}
