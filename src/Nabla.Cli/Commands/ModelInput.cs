using Nabla.Cli.Training;
using Nabla.NN;

namespace Nabla.Cli.Commands;

/// <summary>A model built from <c>nabla train</c>'s model options and a first batch of its dataset (for <c>gradcheck</c> and <c>graph</c>).</summary>
/// <param name="Settings">The parsed settings.</param>
/// <param name="Model">The freshly initialised model.</param>
/// <param name="X">The first <c>batchSize</c> training samples, in the model's dtype.</param>
/// <param name="Y">Their labels.</param>
/// <param name="Description">A short description such as <c>mlp on digits</c>.</param>
internal sealed record ModelInput(TrainSettings Settings, Sequential Model, Tensor X, Tensor Y, string Description)
{
    /// <summary>Loads the dataset, builds the model with parameters of <paramref name="dtype"/> (fused as for training when <paramref name="fuse"/>) and takes the first batch.</summary>
    public static ModelInput Load(OptionReader o, int batchSize, DType dtype, bool fuse)
    {
        TrainSettings s = TrainCommand.Parse(o);
        string modelName = s.Model ?? "mlp";
        LoadedDataset data = DatasetCatalog.Load(s.Dataset, ModelPresets.TakesImages(modelName) && s.Layers is null, s.Seed, s.Download);
        Sequential model = Trainer.BuildModel(s with { BatchSize = batchSize }, data, new Generator(s.Seed), dtype, fuse: fuse);
        int n = Math.Min(batchSize, data.Train.Count);
        var (x, y) = data.Train.GetBatch(Enumerable.Range(0, n).ToArray());
        string what = s.Layers is null ? modelName : "mlp " + string.Join(",", s.Layers);
        return new ModelInput(s, model, x.To(dtype), y, $"{what} on {data.Name}");
    }

    /// <summary>The mean cross-entropy of the model on the batch.</summary>
    public Tensor Loss() => Functional.CrossEntropy(Model.Forward(X), Y);
}
