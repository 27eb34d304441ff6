namespace Nabla.NN;

/// <summary>
/// A ResNet basic block: <c>relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))</c> with 3×3 convolutions; the
/// shortcut is the identity, or a 1×1 convolution with batch norm when the stride or channel count changes.
/// </summary>
public sealed class ResidualBlock : Module
{
    private readonly Conv2d _conv1, _conv2;
    private readonly BatchNorm2d _bn1, _bn2;
    private readonly Sequential? _shortcut;

    /// <summary>Creates the block.</summary>
    public ResidualBlock(int inChannels, int outChannels, int stride = 1, DType dtype = DType.Float32, Generator? generator = null)
    {
        _conv1 = RegisterModule("conv1", new Conv2d(inChannels, outChannels, 3, stride, 1, bias: false, dtype: dtype, generator: generator));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(outChannels, dtype: dtype));
        _conv2 = RegisterModule("conv2", new Conv2d(outChannels, outChannels, 3, 1, 1, bias: false, dtype: dtype, generator: generator));
        _bn2 = RegisterModule("bn2", new BatchNorm2d(outChannels, dtype: dtype));
        if (stride != 1 || inChannels != outChannels)
            _shortcut = RegisterModule("shortcut", new Sequential(
                new Conv2d(inChannels, outChannels, 1, stride, 0, bias: false, dtype: dtype, generator: generator),
                new BatchNorm2d(outChannels, dtype: dtype)));
    }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input)
    {
        Tensor h = _bn1.Forward(_conv1.Forward(input)).Relu();
        h = _bn2.Forward(_conv2.Forward(h));
        return (h + (_shortcut is null ? input : _shortcut.Forward(input))).Relu();
    }
}
