using Nabla.Data;

namespace Nabla.Tests.Data;

public class CsvDatasetTests
{
    private static string Write(TempDirectory dir, string text, string name = "data.csv")
    {
        string path = dir.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Load_StringLabelsByName_MapsSortedClassNames()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "sepal,petal,species\n5.1,1.4,setosa\n7.0,4.7,versicolor\n6.3,6.0,virginica\n4.9,1.5,setosa\n\n\n");
        CsvDataset ds = CsvDataset.Load(path, "species");
        Assert.Equal(4, ds.Count);
        Assert.Equal(new Shape(4, 2), ds.Features.Shape);
        Assert.Equal([5.1f, 1.4f, 7.0f, 4.7f, 6.3f, 6.0f, 4.9f, 1.5f], ds.Features.ToArray<float>());
        Assert.Equal(["setosa", "versicolor", "virginica"], ds.ClassNames!);
        Assert.Equal([0L, 1L, 2L, 0L], ds.Labels.ToArray<long>());
        Assert.Equal(["sepal", "petal"], ds.FeatureNames);
        Assert.Equal("species", ds.LabelName);
    }

    [Fact]
    public void Load_IntegerLabelsFirstColumnNoHeader_DetectsNoHeader()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "2,0.5,1\r\n0,1.5,-2\r\n1,2.5,3e1\r\n");
        CsvDataset ds = CsvDataset.Load(path, labelColumn: 0);
        Assert.Equal(3, ds.Count);
        Assert.Null(ds.ClassNames);
        Assert.Equal(DType.Int64, ds.Labels.DType);
        Assert.Equal([2L, 0L, 1L], ds.Labels.ToArray<long>());
        Assert.Equal([0.5f, 1f, 1.5f, -2f, 2.5f, 30f], ds.Features.ToArray<float>());
        Assert.Equal(["column1", "column2"], ds.FeatureNames);
    }

    [Fact]
    public void Load_FractionalLabels_BecomeFloatTargets()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "x,y\n1,0.5\n2,1\n");
        CsvDataset ds = CsvDataset.Load(path);
        Assert.Equal(DType.Float32, ds.Labels.DType);
        Assert.Equal([0.5f, 1f], ds.Labels.ToArray<float>());
    }

    [Fact]
    public void Load_ExplicitHeaderFlag_OverridesDetection()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "1,2,0\n3,4,1\n");
        Assert.Equal(1, CsvDataset.Load(path, -1, hasHeader: true).Count);
        Assert.Equal(["1", "2"], CsvDataset.Load(path, -1, hasHeader: true).FeatureNames);
        Assert.Equal(2, CsvDataset.Load(path, -1, hasHeader: false).Count);
    }

    [Fact]
    public void Load_QuotedFields_CommasQuotesAndNewlinesInside()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "\"a, first\",b,label\n\"1.5\", 2 ,\"say \"\"hi\"\"\"\n3,4,\"two\nlines\"\n5,6,plain\n7,8,x");
        CsvDataset ds = CsvDataset.Load(path, "label");
        Assert.Equal(["a, first", "b"], ds.FeatureNames);
        Assert.Equal(["plain", "say \"hi\"", "two\nlines", "x"], ds.ClassNames!);
        Assert.Equal([1L, 2L, 0L, 3L], ds.Labels.ToArray<long>());
        Assert.Equal([1.5f, 2f, 3f, 4f, 5f, 6f, 7f, 8f], ds.Features.ToArray<float>());
    }

    [Fact]
    public void Load_NonNumericFeature_NamesFileLineAndColumn()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "a,b,label\n1,2,x\n3,4,y\n5,abc,x\n");
        var ex = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, "label"));
        Assert.Equal($"{path}: line 4, column \"b\" (index 1): cannot read 'abc' as a number", ex.Message);
    }

    [Fact]
    public void Load_LineNumbersCountLinesInsideQuotedFields()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "a,label\n1,\"multi\nline\"\n\n2,x\nbad,y\n");
        var ex = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, "label"));
        Assert.Contains("line 6, column \"a\"", ex.Message);
    }

    [Fact]
    public void Load_WrongFieldCount_NamesLine()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "1,2,0\n3,4\n");
        var ex = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path));
        Assert.Equal($"{path}: line 2: expected 3 fields (as on line 1), got 2", ex.Message);
    }

    [Fact]
    public void Load_MissingValueOrLabel_NamesLineAndColumn()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "1,,0\n");
        Assert.Contains("line 1, column index 1: the value is missing", Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, -1, hasHeader: false)).Message);
        path = Write(dir, "1,2,\n", "b.csv");
        Assert.Contains("line 1, column index 2: the label is empty", Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, -1, hasHeader: false)).Message);
    }

    [Fact]
    public void Load_UnclosedQuote_NamesLineWhereItOpened()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "a,b\n1,\"open\n2,3\n");
        Assert.Contains("line 2: the quoted field opened here is not closed", Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, "b")).Message);
    }

    [Fact]
    public void Load_TextAfterClosingQuote_NamesLine()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "a,b\n1,\"x\"y\n");
        Assert.Contains("line 2: unexpected 'y' after the closing quote", Assert.Throws<InvalidDataException>(() => CsvDataset.Load(path, "b")).Message);
    }

    [Fact]
    public void Load_UnknownLabelColumn_ListsHeader()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "a,b\n1,2\n");
        var ex = Assert.Throws<ArgumentException>(() => CsvDataset.Load(path, "class"));
        Assert.Contains("no column named 'class'", ex.Message);
        Assert.Contains("a, b", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => CsvDataset.Load(path, 2));
        Assert.Throws<ArgumentException>(() => CsvDataset.Load(path, "b", hasHeader: false));
    }

    [Fact]
    public void Load_EmptyOrHeaderOnly_Throws()
    {
        using var dir = new TempDirectory();
        Assert.Contains("no rows", Assert.Throws<InvalidDataException>(() => CsvDataset.Load(Write(dir, "\n\n"))).Message);
        Assert.Contains("no data rows", Assert.Throws<InvalidDataException>(() => CsvDataset.Load(Write(dir, "a,b\n", "h.csv"), "b")).Message);
        Assert.Contains("at least one feature column", Assert.Throws<InvalidDataException>(() => CsvDataset.Load(Write(dir, "1\n2\n", "one.csv"))).Message);
    }

    [Fact]
    public void Load_ThenLoader_BatchesTheRows()
    {
        using var dir = new TempDirectory();
        string path = Write(dir, "x1,x2,y\n" + string.Join("\n", Enumerable.Range(0, 10).Select(i => $"{i},{-i},{(i % 2 == 0 ? "even" : "odd")}")));
        var batches = new DataLoader(CsvDataset.Load(path, "y"), 4).ToList();
        Assert.Equal(3, batches.Count);
        Assert.Equal([0L, 1L, 0L, 1L], batches[0].Labels.ToArray<long>());
    }
}
