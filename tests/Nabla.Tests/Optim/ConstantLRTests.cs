using Nabla.Optim;
using static Nabla.Tests.Optim.StepAssert;

namespace Nabla.Tests.Optim;

/// <summary>ConstantLR: the factor until totalIters, the base rate from then on; its edges and bad arguments.</summary>
public class ConstantLRTests
{
    [Theory]
    [InlineData(0.5, 4)]
    [InlineData(1.0, 3)]
    [InlineData(0.1, 1)]
    public void Step_Schedule_IsFactorThenBase(double factor, int totalIters)
    {
        Sgd sgd = Sgd(0.1);
        AssertSchedule(t => t < totalIters ? 0.1 * factor : 0.1, Run(new ConstantLR(sgd, factor, totalIters), 10));
    }

    [Theory]
    [InlineData(0.0, 5, "factor")]
    [InlineData(1.5, 5, "factor")]
    [InlineData(double.NaN, 5, "factor")]
    [InlineData(0.5, 0, "totalIters")]
    public void Constructor_BadArgument_ThrowsNamingIt(double factor, int totalIters, string parameter)
    {
        var ex = Assert.Throws<ArgumentException>(() => new ConstantLR(Sgd(0.1), factor, totalIters));
        Assert.Equal(parameter, ex.ParamName);
        ErrorAssert.AssertMessage(ex, "ConstantLR", parameter);
    }
}
