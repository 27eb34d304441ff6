using System.Diagnostics;
using System.Text;
using Nabla.Data;

namespace Nabla.Tests.Data;

public class CsvDatasetBadInputTests
{
    private static readonly CsvLimits Unbounded = new(int.MaxValue, int.MaxValue, long.MaxValue);

    private static string Write(TempDirectory dir, string text, string name = "data.csv")
    {
        string path = dir.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Refused(string path, int labelColumn = -1, bool? hasHeader = null, CsvLimits? limits = null)
    {
        var ex = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, labelColumn, hasHeader, limits ?? CsvLimits.Default));
        Assert.StartsWith(path, ex.Message);
        return ex.Message;
    }

    [Theory]
    [InlineData(false)] // a million quotes inside an unquoted field: each once cost a copy of the field so far
    [InlineData(true)] // a million doubled quotes inside a quoted field
    public void Load_MillionQuoteField_ParsesInLinearTime(bool quoted)
    {
        using var dir = new TempDirectory();
        string path = Write(dir, quoted
            ? "1,\"" + new string('"', 2_000_000) + "\"\n"
            : "1,x" + new string('"', 1_000_000) + "\n");
        var clock = Stopwatch.StartNew();
        CsvDataset ds = CsvDataset.Load(path, -1, hasHeader: false, Unbounded);
        // The quadratic parser took over a minute for this; a linear one takes milliseconds.
        Assert.True(clock.Elapsed.TotalSeconds < 5, $"took {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(quoted ? new string('"', 1_000_000) : "x" + new string('"', 1_000_000), ds.ClassNames![0]);
    }

    [Fact]
    public void Load_MillionQuoteFieldWithDefaultBounds_RefusedAtTheFieldBound()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "a,b\n1,x" + new string('"', 1_000_000) + "\n");
        var clock = Stopwatch.StartNew();
        string message = Refused(path);
        Assert.True(clock.Elapsed.TotalSeconds < 5, $"took {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Contains("line 2: field 2 is longer than 65,536 characters", message);
    }

    [Fact]
    public void Load_DevZero_RefusedAtTheFieldBound()
        => Assert.Contains("line 1: field 1 is longer than 65,536 characters", Refused("/dev/zero"));

    [Fact]
    public void Load_RecordWithoutLineBreaksBeyondTheBound_Refused()
    {
        using var dir = new TempDirectory();
        var text = new StringBuilder();
        for (int i = 0; i < CsvDataset.MaxRecordChars / 2 + 10; i++) text.Append("0,");
        Assert.Contains("line 1: the record is longer than 4,194,304 characters", Refused(Write(dir, text.ToString())));
    }

    [Fact]
    public void Load_EndlessPipe_RefusedAtTheMemoryBound()
    {
        using var dir = new TempDirectory();
        string pipe = dir.File("pipe");
        Fifo.CreateAndFeed(pipe, s =>
        {
            byte[] rows = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("1.5,2.5,0\n", 400)));
            while (true) s.Write(rows);
        });
        string message = Refused(pipe, limits: new CsvLimits(CsvDataset.MaxFieldChars, CsvDataset.MaxRecordChars, 1 << 20));
        Assert.Contains("more than the 1,048,576 this loader may use", message);
        Assert.Contains("rows read so far (2 features each) take", message);
    }

    [Fact]
    public void Load_EndlessPipeOfBlankLines_RefusedAtTheInputBound()
    {
        using var dir = new TempDirectory();
        string pipe = dir.File("pipe");
        Fifo.CreateAndFeed(pipe, s =>
        {
            var newlines = new byte[4096];
            Array.Fill(newlines, (byte)'\n');
            while (true) s.Write(newlines);
        });
        string message = Refused(pipe, limits: new CsvLimits(CsvDataset.MaxFieldChars, CsvDataset.MaxRecordChars, 1 << 20));
        Assert.Contains("the input is longer than 1,048,576 characters", message);
    }

    [Fact]
    public void Load_RegularFileLargerThanTheBound_RefusedBeforeReadingWithTheFigures()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, string.Concat(Enumerable.Repeat("1,2,0\n", 100)));
        string message = Refused(path, limits: new CsvLimits(CsvDataset.MaxFieldChars, CsvDataset.MaxRecordChars, 500));
        Assert.Contains("the file is 600 bytes, more than the 500 this loader reads", message);
    }

    [Fact]
    public void Load_PipeWithAFewRows_LoadsThem()
    {
        using var dir = new TempDirectory();
        string pipe = dir.File("pipe");
        Fifo.CreateAndFeed(pipe, s => s.Write("a,b,label\n1,2,cat\n3,4,dog\n"u8));
        CsvDataset ds = CsvDataset.Load(pipe, "label");
        Assert.Equal([1f, 2f, 3f, 4f], ds.Features.ToArray<float>());
        Assert.Equal(["cat", "dog"], ds.ClassNames!);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("1e39")]
    public void Load_NonFiniteFeature_RefusedNamingLineAndColumn(string value)
    {
        using var dir = new TempDirectory();
        string path = Write(dir, $"a,b,label\n1,2,0\n3,{value},1\n");
        Assert.Equal($"{path}: line 3, column \"b\" (index 1): '{value}' is not a finite float32 number; features must be finite (no NaN or infinity, magnitude at most 3.4e38)",
            Refused(path));
    }

    [Fact]
    public void Load_WholeNumberLabelsWrittenAsFloats_AreClassIndices()
    {
        using var dir = new TempDirectory();
        CsvDataset ds = CsvDataset.Load(Write(dir, "x,y\n0.5,1.0\n1.5,0.0\n2,2e0\n"));
        Assert.Equal(DType.Int64, ds.Labels.DType);
        Assert.Equal([1L, 0L, 2L], ds.Labels.ToArray<long>());
        Assert.Null(ds.ClassNames);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("3e9")]
    [InlineData("3000000000")]
    [InlineData("100000")]
    public void Load_ClassIndexOutOfRange_RefusedNamingLineValueAndRange(string label)
    {
        using var dir = new TempDirectory();
        string path = Write(dir, $"x,y\n0.5,1\n1.5,{label}\n2.5,0\n");
        Assert.Equal($"{path}: line 3, column \"y\" (index 1): label {label} is out of range: whole-number labels are class indices and must be from 0 to 99999 (at most 100,000 classes)",
            Refused(path));
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("-Infinity")]
    [InlineData("1e39")]
    public void Load_NonFiniteRegressionTarget_Refused(string label)
    {
        using var dir = new TempDirectory();
        string path = Write(dir, $"x,y\n0.5,0.25\n1.5,{label}\n");
        Assert.Contains($"line 3, column \"y\" (index 1): label '{label}' is not a finite float32 number", Refused(path));
    }

    [Fact]
    public void Load_NaNAmongClassNames_IsAClassName()
    {
        using var dir = new TempDirectory();
        CsvDataset ds = CsvDataset.Load(Write(dir, "x,y\n1,cat\n2,NaN\n"));
        Assert.Equal(["NaN", "cat"], ds.ClassNames!);
    }

    [Fact]
    public void Load_MoreDistinctClassNamesThanTheBound_Refused()
    {
        using var dir = new TempDirectory();
        var text = new StringBuilder("x,y\n");
        for (int i = 0; i <= CsvDataset.MaxClasses; i++) text.Append("1,c").Append(i).Append('\n');
        Assert.Contains("line 100002, column \"y\" (index 1): the label column holds more than 100,000 distinct class names", Refused(Write(dir, text.ToString())));
    }

    [Fact]
    public void Load_ManyDistinctFractionalTargets_StayRegressionTargets()
    {
        using var dir = new TempDirectory();
        var text = new StringBuilder("x,y\n");
        for (int i = 0; i <= CsvDataset.MaxClasses + 10; i++) text.Append("1,").Append(i).Append(".5\n");
        CsvDataset ds = CsvDataset.Load(Write(dir, text.ToString()));
        Assert.Equal(DType.Float32, ds.Labels.DType);
        Assert.Equal(100_010.5f, ds.Labels.ToArray<float>()[^1]);
    }

    [Fact]
    public void Load_NameAfterTooManyDistinctNumbers_Refused()
    {
        using var dir = new TempDirectory();
        var text = new StringBuilder("x,y\n");
        for (int i = 0; i <= CsvDataset.MaxClasses; i++) text.Append("1,").Append(i).Append(".5\n");
        text.Append("1,cat\n");
        Assert.Contains("label 'cat' is not a number, but the labels before it are numbers with more than 100,000 distinct values", Refused(Write(dir, text.ToString())));
    }

    [Fact]
    public void Load_ByteOrderMarkAndCarriageReturns_AreHandled()
    {
        using var dir = new TempDirectory();
        string path = dir.File("bom.csv");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "a,label\r1,x\r\n2,y\r"u8]);
        CsvDataset ds = CsvDataset.Load(path, "label");
        Assert.Equal(["a"], ds.FeatureNames);
        Assert.Equal([1f, 2f], ds.Features.ToArray<float>());
    }

    [Fact]
    public void Load_LongFieldInAMessage_IsShortened()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "a,b\n" + new string('z', 5000) + ",1\n");
        string message = Refused(path, hasHeader: true);
        Assert.Contains($"cannot read '{new string('z', 37)}...' as a number", message);
        Assert.True(message.Length < 300 + path.Length, message);
    }
}
