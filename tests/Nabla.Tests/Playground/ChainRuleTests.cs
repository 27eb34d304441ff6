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

    // Closed forms in plain double arithmetic, written to stay finite at every input the API allows.
    private static double Sigma(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    private static (double Loss, double GradW) ClosedForm(string expression, double w, double x, double y)
    {
        double p = w * x;
        switch (expression)
        {
            case "squared": return ((p - y) * (p - y), 2 * (p - y) * x);
            case "sigmoid":
            {
                double s = Sigma(p);
                return ((s - y) * (s - y), 2 * (s - y) * s * (1 - s) * x);
            }
            case "relu":
            {
                double a = Math.Max(p, 0);
                return ((a - y) * (a - y), p > 0 ? 2 * (a - y) * x : 0);
            }
            default:
            {
                double q = -y * p;
                return (Math.Max(q, 0) + Math.Log(1 + Math.Exp(-Math.Abs(q))), -y * x * Sigma(q));
            }
        }
    }

    public static TheoryData<string, double, double, double> Extremes()
    {
        var data = new TheoryData<string, double, double, double>();
        foreach (string expression in ChainRule.Expressions.Keys)
            foreach (double w in new[] { ChainRule.MinInput, ChainRule.MaxInput })
                foreach (double x in new[] { ChainRule.MinInput, ChainRule.MaxInput })
                    foreach (double y in new[] { ChainRule.MinInput, 0.0, ChainRule.MaxInput })
                        data.Add(expression, w, x, y);
        return data;
    }

    [Theory]
    [MemberData(nameof(Extremes))]
    public void Graph_ExtremeInputs_LossGradientLandscapeAndStepStayFiniteAndExact(string expression, double w, double x, double y)
    {
        var chain = new ChainRule();
        chain.Update(expression, w, x, y, 10);
        var nodes = chain.Graph();
        var (loss, grad) = ClosedForm(expression, w, x, y);
        Assert.All(nodes, n => Assert.True(double.IsFinite(n.Value) && double.IsFinite(n.Grad), $"{n.Label}: value {n.Value}, grad {n.Grad}"));
        Assert.Equal(loss, nodes[^1].Value, 1e-9 * Math.Max(1, Math.Abs(loss)));
        Assert.Equal(grad, nodes[0].Grad, 1e-9 * Math.Max(1, Math.Abs(grad)));

        // The whole state the page draws (landscape over w in [-10.5, 10.5], the loss after a step) is finite.
        ChainState state = ChainState.Of(chain);
        Assert.All(state.LandscapeLoss, v => Assert.True(double.IsFinite(v), $"landscape {v}"));
        Assert.True(double.IsFinite(state.LossAfterStep));
        chain.Step();
        Assert.True(chain.W >= ChainRule.MinInput && chain.W <= ChainRule.MaxInput, $"w = {chain.W}");
        Assert.True(double.IsFinite(chain.LossHistory[^1]));
    }

    [Fact]
    public void Logistic_W10X10YMinus10_LossIs1000AndGradientIs100()
    {
        var chain = new ChainRule();
        chain.Update("logistic", 10, 10, -10, 0.1);
        var nodes = chain.Graph();
        // q = −y·w·x = 1000: L = 1000 + log(1 + e^−1000) = 1000, dL/dw = −y·x·σ(1000) = 100.
        Assert.Equal(1000.0, nodes[^1].Value, 12);
        Assert.Equal(100.0, nodes[0].Grad, 12);
        chain.Step();
        Assert.Equal(0.0, chain.W, 12);
    }

    [Fact]
    public void Logistic_ZeroMargin_GradientIsHalfOfMinusYX()
    {
        var chain = new ChainRule();
        chain.Update("logistic", 0, 3, 2, null);
        var nodes = chain.Graph();
        // q = 0: L = log 2, dL/dw = −y·x·σ(0) = −3.
        Assert.Equal(Math.Log(2), nodes[^1].Value, 12);
        Assert.Equal(-3.0, nodes[0].Grad, 12);
    }

    [Theory]
    [InlineData(0, 16.0, -24.0)]
    [InlineData(1, 0.81, -3.6)]
    public void Presets_WorkedExamples_GiveTheLessonsLossAndGradient(int preset, double loss, double gradW)
    {
        ChainPreset p = ChainRule.Presets[preset];
        var chain = new ChainRule();
        chain.Update(p.Expression, p.W, p.X, p.Y, null);
        var nodes = chain.Graph();
        Assert.Equal(loss, nodes[^1].Value, 12);
        Assert.Equal(gradW, nodes[0].Grad, 12);
    }
}
