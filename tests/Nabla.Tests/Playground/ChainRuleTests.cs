using Nabla.Playground;

namespace Nabla.Tests.Playground;

/// <summary>The chain-rule view's expressions: values and gradients from Nabla against closed forms and finite differences.</summary>
public sealed class ChainRuleTests
{
    [Theory]
    [InlineData("squared")]
    [InlineData("sigmoid")]
    [InlineData("relu")]
    [InlineData("logistic")]
    public void Graph_GradientOfW_MatchesFiniteDifference(string expression)
    {
        var chain = new ChainRule();
        chain.Update(expression, 0.7, 1.3, 0.4, 0.1);
        var nodes = chain.Graph();
        const double h = 1e-6;
        double numeric = (chain.Loss(0.7 + h) - chain.Loss(0.7 - h)) / (2 * h);
        Assert.Equal(numeric, nodes[0].Grad, 6);
        Assert.Equal("L", nodes[^1].Name);
        Assert.Equal(1.0, nodes[^1].Grad);
        Assert.Equal(chain.Loss(0.7), nodes[^1].Value, 12);
    }

    [Fact]
    public void Logistic_ClosedForm()
    {
        var chain = new ChainRule();
        chain.Update("logistic", 0.5, 2, -1, null);
        // L = log(1 + e^(−y·w·x)) = log(1 + e), dL/dw = −y·x·σ(−y·w·x) = 2·σ(1)
        var nodes = chain.Graph();
        Assert.Equal(Math.Log(1 + Math.E), nodes[^1].Value, 12);
        Assert.Equal(2 / (1 + Math.Exp(-1)), nodes[0].Grad, 12);
    }

    [Fact]
    public void Relu_NegativePreActivation_GradientIsZero()
    {
        var chain = new ChainRule();
        chain.Update("relu", -1, 2, 1, null);
        Assert.Equal(0.0, chain.Graph()[0].Grad);
    }

    [Fact]
    public void Landscape_AgreesWithLoss()
    {
        var chain = new ChainRule();
        chain.Update("sigmoid", 1, -2, 0.3, null);
        double[] ws = [-3, -0.5, 0, 2.25];
        double[] l = chain.Landscape(ws);
        for (int i = 0; i < ws.Length; i++) Assert.Equal(chain.Loss(ws[i]), l[i], 12);
    }

    [Fact]
    public void Step_RepeatedOnSquared_ConvergesToYOverX()
    {
        var chain = new ChainRule();
        chain.Update("squared", 3, 1.5, 1, 0.2);
        for (int i = 0; i < 50; i++) chain.Step();
        Assert.Equal(1 / 1.5, chain.W, 6);
        Assert.Equal(51, chain.LossHistory.Count);
        Assert.True(chain.LossHistory[^1] < 1e-10);
    }
}
