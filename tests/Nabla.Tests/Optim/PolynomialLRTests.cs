using Nabla.Optim;
using static Nabla.Tests.Optim.StepAssert;

namespace Nabla.Tests.Optim;

/// <summary>PolynomialLR: the closed form, exactly 0 from totalIters on, power 0, bad arguments.</summary>
public class PolynomialLRTests
{
    [Theory]
    [InlineData(2.0)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    public void Step_Schedule_FollowsTheClosedFormAndEndsAtZero(double power)
    {
        double[] lrs = Run(new PolynomialLR(Sgd(0.1), totalIters: 10, power: power), 15);
        AssertSchedule(t => 0.1 * Math.Pow(1 - Math.Min(t, 10) / 10.0, power), lrs, 1e-12);
        Assert.All(lrs[10..], lr => Assert.Equal(0.0, lr));
    }

    [Fact]
    public void Step_PowerZero_KeepsTheBaseRate()
    {
        Assert.All(Run(new PolynomialLR(Sgd(0.1), totalIters: 4, power: 0), 8), lr => Assert.Equal(0.1, lr, 15));
    }

    [Theory]
    [InlineData(0, 1.0, "totalIters")]
    [InlineData(5, -1.0, "power")]
    [InlineData(5, double.PositiveInfinity, "power")]
    public void Constructor_BadArgument_ThrowsNamingIt(int totalIters, double power, string parameter)
    {
        var ex = Assert.Throws<ArgumentException>(() => new PolynomialLR(Sgd(0.1), totalIters, power));
        Assert.Equal(parameter, ex.ParamName);
        ErrorAssert.AssertMessage(ex, "PolynomialLR", parameter);
    }
}
