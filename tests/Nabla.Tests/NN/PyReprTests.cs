using Nabla.NN;

namespace Nabla.Tests.NN;

/// <summary>PyRepr: numbers and tuples written as Python's repr writes them.</summary>
public class PyReprTests
{
    [Theory]
    [InlineData(0.5, "0.5")]
    [InlineData(2.0, "2.0")]
    [InlineData(0.0, "0.0")]
    [InlineData(1e-5, "1e-05")]
    [InlineData(1.5e-7, "1.5e-07")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.001, "0.001")]
    [InlineData(1e16, "1e+16")]
    [InlineData(-3.25, "-3.25")]
    [InlineData(0.1, "0.1")]
    [InlineData(100.0, "100.0")]
    [InlineData(123.5, "123.5")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(-2e-9, "-2e-09")]
    public void Float_Values_MatchPythonRepr(double value, string expected) => Assert.Equal(expected, PyRepr.Float(value));

    [Fact]
    public void Tuple_OneAndTwoValues_MatchPythonRepr()
    {
        Assert.Equal("(3,)", PyRepr.Tuple(3));
        Assert.Equal("(3, 4)", PyRepr.Tuple(3, 4));
        Assert.Equal("(1.5, 2.0)", PyRepr.Tuple(1.5, 2.0));
        Assert.Equal("True", PyRepr.Bool(true));
    }
}
