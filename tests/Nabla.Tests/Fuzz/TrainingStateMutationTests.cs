using System.Text;
using System.Text.Json;
using Nabla.IO;
using Nabla.Tests.Data;
using Nabla.Tests.IO;

namespace Nabla.Tests.Fuzz;

/// <summary>TrainingState.Load over seeded mutations (Note [Mutation tests]): only InvalidDataException may escape.</summary>
public class TrainingStateMutationTests
{
    private static readonly Type[] Documented = [typeof(InvalidDataException)];

    private static void Load(byte[] bytes) => TrainingState.Load(new MemoryStream(bytes, writable: false), "mutated.safetensors");

    [Fact]
    public void Load_MutatedCheckpointFile_OnlyInvalidDataEscapes()
    {
        using var dir = new TempDirectory();
        byte[] valid = File.ReadAllBytes(TrainingStateTests.WriteWithMetadata(dir, TrainingStateTests.ValidMetadata, "valid.safetensors"));
        Mutations.Run("TrainingState.Load (file)", valid, Load, Documented, count: 5000, seed: 21);
    }

    [Fact]
    public void Load_MutatedMetadataJson_OnlyInvalidDataEscapes()
    {
        // Mutate the metadata JSON alone and frame it in a well-formed file, so every mutation reaches the metadata reader.
        static byte[] Framed(byte[] json)
        {
            string header = "{\"__metadata__\":{\"nabla.checkpoint\":" + JsonSerializer.Serialize(Encoding.UTF8.GetString(json)) +
                            "},\"model.w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
            return SafeTensorsTests.Frame(Encoding.UTF8.GetBytes(header), new byte[8]);
        }
        var (accepted, refused) = Mutations.Run("TrainingState.Load (metadata)", Encoding.UTF8.GetBytes(TrainingStateTests.ValidMetadata),
            json => Load(Framed(json)), Documented, count: 5000, seed: 22);
        Assert.True(accepted > 100 && refused > 2000, $"accepted {accepted}, refused {refused}");
    }
}
