using System.Text;
using Nabla.IO;
using Nabla.Tests.Data;

namespace Nabla.Tests.IO;

public class SafeTensorsBadInputTests
{
    private const string Entry = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";

    private static InvalidDataException LoadBad(TempDirectory dir, byte[] header, int dataBytes)
    {
        string path = dir.File("bad.safetensors");
        SafeTensorsTests.WriteRaw(path, header, new byte[dataBytes]);
        var ex = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains(path, ex.Message);
        return ex;
    }

    [Fact]
    public void Load_InvalidUtf8InTensorName_ThrowsInvalidDataNamingTheOffset()
    {
        using var dir = new TempDirectory();
        byte[] header = [.. "{\"a"u8, 0xFF, .. "\":"u8, .. Encoding.UTF8.GetBytes(Entry), (byte)'}'];
        var ex = LoadBad(dir, header, 4);
        Assert.Contains("not valid UTF-8", ex.Message);
        Assert.Contains("offset 11 of the file", ex.Message); // 8 length bytes, then '{', '"', 'a'
    }

    [Fact]
    public void LoadMetadata_InvalidUtf8InMetadataValue_ThrowsInvalidData()
    {
        using var dir = new TempDirectory();
        string path = dir.File("meta.safetensors");
        SafeTensorsTests.WriteRaw(path, [.. "{\"__metadata__\":{\"k\":\"v"u8, 0xC3, 0x28, .. "\"}}"u8], []);
        var ex = Assert.Throws<InvalidDataException>(() => SafeTensors.LoadMetadata(path));
        Assert.Contains("not valid UTF-8", ex.Message);
    }

    [Fact]
    public void Load_EscapedLoneSurrogateInName_ThrowsInvalidData()
    {
        using var dir = new TempDirectory();
        var ex = LoadBad(dir, Encoding.UTF8.GetBytes("{\"a\\uD800\":" + Entry + "}"), 4);
        Assert.Contains("not valid Unicode", ex.Message);
    }

    [Fact]
    public void Load_DuplicateTensorName_NamesFileAndName()
    {
        using var dir = new TempDirectory();
        string header = "{\"w\":" + Entry + ",\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        var ex = LoadBad(dir, Encoding.UTF8.GetBytes(header), 8);
        Assert.Contains("names 'w' twice", ex.Message);
    }

    public static TheoryData<string, string, int, string> BadHeaders => new()
    {
        { "array-entry", "{\"a\":[1,2]}", 0, "tensor 'a': expected an object with dtype, shape and data_offsets, got an array" },
        { "number-dtype", "{\"a\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "missing or non-string 'dtype' (got 7)" },
        { "string-shape", "{\"a\":{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}}", 4, "missing or non-array 'shape' (got a string)" },
        { "float-dim", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4, "shape entry 0 is 1.5, expected a non-negative 32-bit integer" },
        { "three-offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 4, "it has more than two entries" },
        { "one-offset", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4, "it has 1 entries" },
        { "huge-offset", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,1e30]}}", 4, "data offset 1e30 is not a non-negative integer" },
        { "twice-dtype", "{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "'dtype' appears twice" },
        { "metadata-twice", "{\"__metadata__\":{},\"__metadata__\":{}}", 0, "names '__metadata__' twice" },
        { "metadata-key-twice", "{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0, "'__metadata__' names 'k' twice" },
        { "metadata-array", "{\"__metadata__\":[]}", 0, "'__metadata__' must be an object of strings, got an array" },
        { "trailing-text", "{} x", 0, "header is not valid JSON" },
        { "deep", "{\"a\":{\"x\":" + new string('[', 100) + new string(']', 100) + "}}", 0, "header is not valid JSON" },
        { "strides-overflow", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0,2147483647,2147483647],\"data_offsets\":[0,0]}}", 0, "more elements than one array can hold" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void Load_MalformedHeader_ThrowsInvalidDataNamingTheProblem(string name, string header, int dataBytes, string expected)
    {
        using var dir = new TempDirectory();
        string padded = header.PadRight((header.Length + 7) / 8 * 8);
        var ex = LoadBad(dir, Encoding.UTF8.GetBytes(padded), dataBytes);
        Assert.True(ex.Message.Contains(expected, StringComparison.Ordinal), $"{name}: {ex.Message}");
    }

    [Fact]
    public void Load_MoreTensorsThanTheBound_RefusesWithMemoryProportionalToTheFile()
    {
        // 1.6 million empty tensors once took 1.7 GB; past MaxTensors the reader stops, having held only the entries read.
        using var dir = new TempDirectory();
        var header = new StringBuilder("{");
        for (int i = 0; i <= SafeTensors.MaxTensors; i++)
            header.Append(i == 0 ? "" : ",").Append("\"t").Append(i).Append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        header.Append('}');
        string path = dir.File("many.safetensors");
        SafeTensorsTests.WriteRaw(path, header.ToString(), []);
        long fileBytes = new FileInfo(path).Length;
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("more than 100,000 tensors", ex.Message);
        Assert.True(allocated < 5 * fileBytes, $"allocated {allocated:N0} bytes for a {fileBytes:N0}-byte file");
    }

    [Fact]
    public void Save_MoreTensorsThanTheBound_ThrowsAndWritesNothing()
    {
        using var dir = new TempDirectory();
        var tensors = new Dictionary<string, Tensor>();
        Tensor empty = Tensor.Zeros([0]);
        for (int i = 0; i <= SafeTensors.MaxTensors; i++) tensors["t" + i] = empty;
        Assert.Contains("more than the 100,000", Assert.Throws<ArgumentException>(() => SafeTensors.Save(dir.File("t.safetensors"), tensors)).Message);
        Assert.Empty(dir.FileNames());
    }

    [Fact]
    public void Load_ConvertedDTypeLargerThanOneBlock_ReadsEveryElement()
    {
        using var dir = new TempDirectory();
        string path = dir.File("i32.safetensors");
        const int N = 200_003;
        var data = new byte[N * 4];
        for (int i = 0; i < N; i++) BitConverter.TryWriteBytes(data.AsSpan(i * 4), i - 100_000);
        SafeTensorsTests.WriteRaw(path, $"{{\"i\":{{\"dtype\":\"I32\",\"shape\":[{N}],\"data_offsets\":[0,{N * 4}]}}}}", data);
        long[] values = SafeTensors.Load(path)["i"].ToArray<long>();
        Assert.Equal(N, values.Length);
        Assert.Equal(-100_000L, values[0]);
        Assert.Equal(100_002L, values[^1]);
        Assert.Equal(65_536L - 100_000, values[65_536]);
    }
}
