using System.Text;
using Nabla.Data;

namespace Nabla.Tests.Fuzz;

/// <summary>CsvDataset.Load over seeded mutations (Note [Mutation tests]): only its documented exceptions may escape.</summary>
public class CsvMutationTests
{
    private const string Iris =
        "sepal length,\"sepal, width\",petal,species\r\n5.1,3.5,1.4,setosa\r\n4.9, 3.0 ,1.4,\"setosa\"\r\n" +
        "7.0,3.2,4.7,versicolor\n6.4,3.2,4.5,\"versi\"\"color\"\n\n6.3,3.3,6.0,\"vir\nginica\"\n5.8,2.7,-5.1e0,virginica\n";

    private const string Numbers = "1,0.5,-2,0\n2,1.5,3e1,1.0\n3,2.5,1e-3,2\n4,-0.5,0,1\n";

    [Theory]
    [InlineData(Iris, 41)]
    [InlineData(Numbers, 42)]
    public void LoadByIndex_MutatedFile_OnlyInvalidDataEscapes(string valid, int seed)
    {
        var (_, refused) = Mutations.Run("CsvDataset.Load(index)", Encoding.UTF8.GetBytes(valid),
            bytes => CsvDataset.Load("mutated.csv", -1, null, CsvLimits.Default, new MemoryStream(bytes, writable: false)),
            [typeof(InvalidDataException)], count: 3000, seed: seed);
        Assert.True(refused > 300, $"only {refused} of 3000 mutations were refused");
    }

    [Fact]
    public void LoadByName_MutatedFile_OnlyInvalidDataOrMissingColumnEscapes()
    {
        Mutations.Run("CsvDataset.Load(name)", Encoding.UTF8.GetBytes(Iris), bytes =>
        {
            try
            {
                CsvDataset.Load("mutated.csv", "species", null, CsvLimits.Default, new MemoryStream(bytes, writable: false));
            }
            catch (ArgumentException e) when (e.Message.Contains("has no column named 'species'", StringComparison.Ordinal))
            {
                throw new InvalidDataException(e.Message); // the documented ArgumentException: the header lost the column
            }
        }, [typeof(InvalidDataException)], count: 3000, seed: 43);
    }
}
