using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Nabla.IO;
using Nabla.Tests.Data;

namespace Nabla.Tests.IO;

public class SafeTensorsTests
{
    internal static string ModelPath => Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", "fmnist_mlp.safetensors");

    private static string Header(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int n = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        return Encoding.UTF8.GetString(bytes, 8, n);
    }

    /// <summary>Writes a file with the given JSON header (padded to 8 bytes) and data section.</summary>
    internal static void WriteRaw(string path, string header, byte[] data)
        => WriteRaw(path, Encoding.UTF8.GetBytes(header.PadRight((header.Length + 7) / 8 * 8)), data);

    /// <summary>Writes a file with the given header bytes (unpadded) and data section.</summary>
    internal static void WriteRaw(string path, byte[] json, byte[] data) => File.WriteAllBytes(path, Frame(json, data));

    /// <summary>The bytes of a safetensors file: the header length, the header bytes as given, the data section.</summary>
    internal static byte[] Frame(byte[] json, byte[] data)
    {
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        return bytes;
    }

    [Fact]
    public void SaveLoad_AllDTypes_RoundTripValuesShapesAndMetadata()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.safetensors");
        var tensors = new Dictionary<string, Tensor>
        {
            ["w"] = Tensor.From([1f, -2.5f, 3f, float.MaxValue, float.Epsilon, -0f], [2, 3]),
            ["d"] = Tensor.From([Math.PI, -1e300], [2], dtype: DType.Float64),
            ["i"] = Tensor.From([long.MinValue, 0L, long.MaxValue], [3, 1]),
            ["b"] = Tensor.From([true, false, true], [3]),
            ["s"] = Tensor.Scalar(4f),
            ["e"] = Tensor.Zeros([0, 4]),
        };
        SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode \"quoted\"" });

        var loaded = SafeTensors.Load(path);
        Assert.Equal(tensors.Count, loaded.Count);
        foreach (var (name, expected) in tensors)
        {
            Tensor actual = loaded[name];
            Assert.Equal(expected.DType, actual.DType);
            Assert.Equal(expected.Shape, actual.Shape);
        }
        Assert.Equal(tensors["w"].ToArray<float>(), loaded["w"].ToArray<float>());
        Assert.Equal(tensors["d"].ToArray<double>(), loaded["d"].ToArray<double>());
        Assert.Equal(tensors["i"].ToArray<long>(), loaded["i"].ToArray<long>());
        Assert.Equal(tensors["b"].ToArray<bool>(), loaded["b"].ToArray<bool>());
        Assert.Equal(4f, loaded["s"].Item<float>());
        var metadata = SafeTensors.LoadMetadata(path);
        Assert.Equal("pt", metadata["format"]);
        Assert.Equal("ünïcode \"quoted\"", metadata["note"]);
    }

    [Fact]
    public void Save_Layout_SortsByDTypeAlignmentThenNameAndPadsHeaderWithSpaces()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor>
        {
            ["z"] = Tensor.From([1f]),
            ["a"] = Tensor.From([1f, 2f]),
            ["flag"] = Tensor.From([true]),
            ["idx"] = Tensor.From([5L]),
            ["dbl"] = Tensor.From([1.0], dtype: DType.Float64),
        });
        string header = Header(path);
        Assert.Equal(0, (8 + Encoding.UTF8.GetByteCount(header)) % 8);
        Assert.Equal(
            "{\"idx\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}," +
            "\"dbl\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]}," +
            "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}," +
            "\"z\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[24,28]}," +
            "\"flag\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[28,29]}}",
            header.TrimEnd(' '));
        Assert.Equal(["idx", "dbl", "a", "z", "flag"], SafeTensors.Load(path).Keys);
    }

    [Fact]
    public void Save_ReferenceExample_MatchesReferenceBytes()
    {
        // The reference implementation's serialization of {"attn.0": F32 [1, 2, 3] = 0..5}: a 64-byte header, no padding.
        using var dir = new TempDirectory();
        string path = dir.File("t.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["attn.0"] = Tensor.From([0f, 1f, 2f, 3f, 4f, 5f], [1, 2, 3]) });
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(64UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        Assert.Equal("{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}", Encoding.UTF8.GetString(bytes, 8, 64));
        Assert.Equal(8 + 64 + 24, bytes.Length);
        Assert.Equal([0, 0, 128, 63], bytes[76..80]); // 1.0f little-endian
    }

    [Fact]
    public void Save_EmptyWithMetadata_MatchesReferenceBytes()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor>());
        Assert.Equal("{}      ", Header(path));
        SafeTensors.Save(path, new Dictionary<string, Tensor>(), new Dictionary<string, string> { ["framework"] = "pt" });
        Assert.Equal("{\"__metadata__\":{\"framework\":\"pt\"}}     ", Header(path));
        Assert.Empty(SafeTensors.Load(path));
    }

    [Fact]
    public void Save_NonContiguousTensor_WritesLogicalOrder()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.safetensors");
        Tensor t = Tensor.From([1f, 2f, 3f, 4f, 5f, 6f], [2, 3]).MT;
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["t"] = t });
        Tensor back = SafeTensors.Load(path)["t"];
        Assert.Equal(new Shape(3, 2), back.Shape);
        Assert.Equal([1f, 4f, 2f, 5f, 3f, 6f], back.ToArray<float>());
    }

    [Fact]
    public void Save_ReservedName_Throws()
    {
        using var dir = new TempDirectory();
        var ex = Assert.Throws<ArgumentException>(() => SafeTensors.Save(dir.File("t.safetensors"),
            new Dictionary<string, Tensor> { ["__metadata__"] = Tensor.Zeros([1]) }));
        Assert.Contains("reserved", ex.Message);
        Assert.Empty(dir.FileNames());
    }

    [Fact]
    public void Save_UnwritablePath_ThrowsAndLeavesNothing()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("file"), "x");
        string path = Path.Combine(dir.File("file"), "t.safetensors");
        var ex = Assert.Throws<DirectoryNotFoundException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { ["a"] = Tensor.Zeros([2]) }));
        Assert.Contains(path, ex.Message);
        Assert.Equal(["file"], dir.FileNames());
    }

    [Fact]
    public void Load_HalfAndBFloat16_KeepTheirDType_SmallIntegers_ConvertToInt64()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.safetensors");
        var data = new List<byte>();
        foreach (Half h in new[] { (Half)1.5f, (Half)(-2f) }) data.AddRange(BitConverter.GetBytes(BitConverter.HalfToUInt16Bits(h)));
        foreach (float f in new[] { 3.0f, -0.5f }) data.AddRange(BitConverter.GetBytes((ushort)(BitConverter.SingleToUInt32Bits(f) >> 16)));
        foreach (int v in new[] { -7, 1 << 30 }) data.AddRange(BitConverter.GetBytes(v));
        data.AddRange([0xFF, 0x01]); // I8: -1, 1
        data.AddRange([0xFF, 0x01]); // U8: 255, 1
        WriteRaw(path,
            "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}," +
            "\"bf\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]}," +
            "\"i32\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[8,16]}," +
            "\"i8\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[16,18]}," +
            "\"u8\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[18,20]}}",
            data.ToArray());
        var t = SafeTensors.Load(path);
        Assert.Equal([(Half)1.5f, (Half)(-2f)], t["h"].ToArray<Half>());
        Assert.Equal([(BFloat16)3f, (BFloat16)(-0.5f)], t["bf"].ToArray<BFloat16>());
        Assert.Equal([-7L, 1L << 30], t["i32"].ToArray<long>());
        Assert.Equal([-1L, 1L], t["i8"].ToArray<long>());
        Assert.Equal([255L, 1L], t["u8"].ToArray<long>());
        Assert.Equal(DType.BFloat16, t["bf"].DType);
        Assert.Equal(DType.Float16, t["h"].DType);
        Assert.Equal(DType.Int64, t["u8"].DType);
    }

    public static TheoryData<string, string, int, string> BadFiles => new()
    {
        { "shape-mismatch", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "'a': dtype F32 and shape [3] need 12 bytes but data_offsets [0, 8] span 8" },
        { "past-end", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8, "run past the end of the data section (8 bytes" },
        { "gap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "'a': data_offsets start at 4 but the previous tensor ends at 0" },
        { "overlap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "overlap" },
        { "trailing", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8, "ends at byte 4 of the data section but the file holds 8 bytes" },
        { "dtype", "{\"a\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8, "'a': dtype 'C64' is not supported" },
        { "no-offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "'a': missing 'data_offsets'" },
        { "negative-dim", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4, "shape entry 0 is -1" },
        { "reversed", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4, "end before they begin" },
        { "json", "{\"a\": nope}", 4, "header is not valid JSON" },
        { "not-object", "[1, 2]", 0, "does not start with '{'" },
        { "metadata", "{\"__metadata__\":{\"k\":1}}", 0, "'__metadata__' value 'k' must be a string" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Load_InvalidHeader_ThrowsNamingFileAndProblem(string name, string header, int dataBytes, string expected)
    {
        using var dir = new TempDirectory();
        string path = dir.File(name + ".safetensors");
        WriteRaw(path, header, new byte[dataBytes]);
        var ex = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Load_HeaderLengthBeyondFile_ThrowsTruncated()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.safetensors");
        var bytes = new byte[8 + 10];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 400);
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains("header length field says 400 bytes but the file holds only 10", ex.Message);
    }

    [Fact]
    public void Load_TooShortForLength_Throws()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        var ex = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains("3 bytes long", ex.Message);
    }

    [Fact]
    public void Load_TruncatedSavedFile_ThrowsNamingTheTensor()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["weight"] = Tensor.Ones([4, 4]) });
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]);
        var ex = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains("'weight'", ex.Message);
        Assert.Contains("truncated", ex.Message);
    }

    [Fact]
    public void Load_PyTorchMlp_HasStateDictNamesAndShapesInFileOrder()
    {
        var t = SafeTensors.Load(ModelPath);
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"], t.Keys);
        Assert.Equal(new Shape(512, 784), t["0.weight"].Shape);
        Assert.Equal(new Shape(512), t["0.bias"].Shape);
        Assert.Equal(new Shape(256, 512), t["2.weight"].Shape);
        Assert.Equal(new Shape(256), t["2.bias"].Shape);
        Assert.Equal(new Shape(10, 256), t["4.weight"].Shape);
        Assert.Equal(new Shape(10), t["4.bias"].Shape);
        Assert.All(t.Values, v => Assert.Equal(DType.Float32, v.DType));
        Assert.Equal("mlp", SafeTensors.LoadMetadata(ModelPath)["architecture"]);
    }

    [Fact]
    public void SaveLoad_PyTorchMlp_RoundTripsBitForBit()
    {
        using var dir = new TempDirectory();
        var original = SafeTensors.Load(ModelPath);
        string path = dir.File("copy.safetensors");
        SafeTensors.Save(path, original, SafeTensors.LoadMetadata(ModelPath));
        var copy = SafeTensors.Load(path);
        foreach (var (name, tensor) in original)
            Assert.Equal(tensor.ToArray<float>(), copy[name].ToArray<float>());
        Assert.Equal(File.ReadAllBytes(path).Length, new FileInfo(ModelPath).Length - 528 + Header(path).Length);
        using var doc = JsonDocument.Parse(Header(path));
        Assert.Equal("__metadata__", doc.RootElement.EnumerateObject().First().Name);
    }
}
