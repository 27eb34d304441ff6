using System.Text;
using Nabla.IO;
using Nabla.Tests.Data;
using Nabla.Tests.IO;

namespace Nabla.Tests.Fuzz;

/// <summary>SafeTensors.Load over seeded mutations (Note [Mutation tests]): only InvalidDataException may escape.</summary>
/// <remarks>The mutations are read from memory through the reader's stream entry, which the file entry wraps: writing
/// thousands of files would cost more than the reading.</remarks>
public class SafeTensorsMutationTests
{
    private static readonly Type[] Documented = [typeof(InvalidDataException)];

    private static void Load(byte[] bytes) => SafeTensors.Load(new MemoryStream(bytes, writable: false), "mutated.safetensors");

    [Fact]
    public void Load_MutatedSavedFile_OnlyInvalidDataEscapes()
    {
        using var dir = new TempDirectory();
        string path = dir.File("valid.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor>
        {
            ["layer.weight"] = Tensor.From([1f, -2f, 3.5f, 0f, 1e-3f, 7f], [2, 3]),
            ["layer.bias"] = Tensor.From([0.5, -0.25], dtype: DType.Float64),
            ["index"] = Tensor.From([3L, -1L, 0L]),
            ["mask"] = Tensor.From([true, false]),
            ["empty"] = Tensor.Zeros([0, 2]),
            ["scalar"] = Tensor.Scalar(2f),
        }, new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode" });
        var (_, refused) = Mutations.Run("SafeTensors.Load", File.ReadAllBytes(path), Load, Documented, count: 5000, seed: 11);
        Assert.True(refused > 2500, $"only {refused} of 5000 mutations were refused");
    }

    [Fact]
    public void Load_MutatedConvertedDTypes_OnlyInvalidDataEscapes()
    {
        byte[] valid = SafeTensorsTests.Frame(Encoding.UTF8.GetBytes(
            "{\"__metadata__\":{\"k\":\"v\"},\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}," +
            "\"bf\":{\"dtype\":\"BF16\",\"shape\":[1,2],\"data_offsets\":[4,8]},\"i32\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[8,16]}," +
            "\"i16\":{\"dtype\":\"I16\",\"shape\":[1],\"data_offsets\":[16,18]},\"i8\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[18,20]}," +
            "\"u8\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[20,22]},\"b\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[22,24]}}"),
            Enumerable.Range(1, 24).Select(i => (byte)(i * 37)).ToArray());
        Mutations.Run("SafeTensors.Load (converted dtypes)", valid, Load, Documented, count: 5000, seed: 12);
    }

    [Fact]
    public void Load_MutatedHeaderText_OnlyInvalidDataEscapes()
    {
        // Mutate the JSON text alone and re-frame it with a correct length field, so every mutation reaches the parser.
        byte[] header = Encoding.UTF8.GetBytes(
            "{\"__metadata__\":{\"format\":\"pt\",\"a\\\"b\":\"\\u00e9\"},\"w\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,4],\"extra\":[{}]}}");
        var (accepted, refused) = Mutations.Run("SafeTensors.Load (header text)", header,
            bytes => Load(SafeTensorsTests.Frame(bytes, new byte[4])), Documented, count: 5000, seed: 13);
        Assert.True(accepted > 20 && refused > 2000, $"accepted {accepted}, refused {refused}");
    }
}
