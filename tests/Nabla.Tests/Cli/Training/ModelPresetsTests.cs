using Nabla.Cli.Training;

namespace Nabla.Tests.Cli.Training;

/// <summary>ModelPresets: the parameter count it predicts is the built model's.</summary>
public class ModelPresetsTests
{
    [Theory]
    [InlineData("mlp", 784, 10)]
    [InlineData("cnn", 784, 10)]
    [InlineData("cnn-bn", 784, 7)]
    public void ModelPresetsSize_ParameterCount_MatchesTheBuiltModel(string preset, int inputs, int classes)
    {
        Assert.Equal(ModelPresets.Build(preset, inputs, classes, new Generator(1)).ParameterCount(), ModelPresets.Size(preset, inputs, classes).Parameters);
        int[] layers = [5, 7, 3];
        Assert.Equal(ModelPresets.FromLayers(layers, "relu", "he", new Generator(1)).ParameterCount(), ModelPresets.SizeOfLayers(layers).Parameters);
    }
}
