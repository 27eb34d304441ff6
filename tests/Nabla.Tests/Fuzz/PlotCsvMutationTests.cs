using System.Text;
using Nabla.Cli.Commands;

namespace Nabla.Tests.Fuzz;

/// <summary><c>nabla plot</c>'s CSV reader over seeded mutations (Note [Mutation tests]): only InvalidDataException escapes.</summary>
public class PlotCsvMutationTests
{
    private const string Metrics =
        "epoch,train_loss,train_accuracy,test_loss,test_accuracy,lr,seconds,samples_per_s\n" +
        "1,1.4071,0.669,0.4569,0.8886,0.001,0.7,1940\n2,0.3182,0.9061,0.223,0.9387,0.001,0.1,22423\n" +
        "\n3,0.21,0.94,\"0.19\",0.95,1e-4,0.1,\"21,000\"\r\n4,0.15,0.96,0.18,0.95,1E-05,0.1,NaN\n";

    [Fact]
    public void ReadCsv_MutatedMetrics_OnlyInvalidDataEscapes()
    {
        var (_, refused) = Mutations.Run("nabla plot's CSV reader", Encoding.UTF8.GetBytes(Metrics),
            bytes => PlotCommand.ReadCsv(new StreamReader(new MemoryStream(bytes, writable: false), Encoding.UTF8), "mutated.csv", PlotCommand.MaxValues),
            [typeof(InvalidDataException)], count: 3000, seed: 61);
        Assert.True(refused > 300, $"only {refused} of 3000 mutations were refused");
    }
}
