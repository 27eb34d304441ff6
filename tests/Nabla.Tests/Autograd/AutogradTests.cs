
namespace Nabla.Tests.Graph;

/// <summary>Autograd.NoGrad and Autograd.Grad: recording switched off per thread, gradients returned without touching Grad, second derivatives.</summary>
public class AutogradTests
{
    [Fact]
    public void NoGrad_DoesNotRecordAndIsPerThread()
    {
        var x = Tensor.Scalar(2.0, requiresGrad: true, dtype: DType.Float64);
        Tensor inside;
        bool otherThreadEnabled = false;
        using (Autograd.NoGrad())
        {
            inside = x * 2.0;
            var t = new Thread(() => otherThreadEnabled = Autograd.IsGradEnabled);
            t.Start();
            t.Join();
        }
        Assert.False(inside.RequiresGrad);
        Assert.Null(inside.GradFn);
        Assert.True(otherThreadEnabled);
        Assert.True((x * 2.0).RequiresGrad);
    }

    [Fact]
    public void Grad_ReturnsGradientsWithoutTouchingGradProperty()
    {
        var x = Tensor.Scalar(3.0, requiresGrad: true, dtype: DType.Float64);
        var w = Tensor.Scalar(2.0, requiresGrad: true, dtype: DType.Float64);
        Tensor?[] g = Autograd.Grad([x * w], [x]);
        Assert.Equal(2.0, g[0]!.Item());
        Assert.Null(x.Grad);
        Assert.Null(w.Grad);
    }

    [Fact]
    public void Grad_UnusedInput_ThrowsUnlessAllowed()
    {
        var x = Tensor.Scalar(3.0, requiresGrad: true, dtype: DType.Float64);
        var u = Tensor.Scalar(1.0, requiresGrad: true, dtype: DType.Float64);
        Assert.Throws<InvalidOperationException>(() => Autograd.Grad([x * x], [x, u], retainGraph: true));
        Tensor?[] g = Autograd.Grad([x * x], [x, u], allowUnused: true);
        Assert.Null(g[1]);
    }

    [Fact]
    public void Grad_WithCreateGraph_GivesSecondDerivative()
    {
        var x = Tensor.Scalar(2.0, requiresGrad: true, dtype: DType.Float64);
        Tensor y = x.Pow(3);                     // y' = 3x^2 = 12, y'' = 6x = 12, y''' = 6
        Tensor dy = Autograd.Grad(y, x, createGraph: true);
        Assert.Equal(12.0, dy.Item(), 12);
        Tensor d2y = Autograd.Grad(dy, x, createGraph: true);
        Assert.Equal(12.0, d2y.Item(), 12);
        Tensor d3y = Autograd.Grad(d2y, x);
        Assert.Equal(6.0, d3y.Item(), 12);
    }

    [Fact]
    public void Grad_HessianVectorProduct_MatchesClosedForm()
    {
        // f(x) = sum(x_i^2 * x_j) over a 2-vector: f = x0^2 x0 ... use f = x0^2 * x1 + sin(x1)
        var x = Tensor.From([1.5, -0.5], requiresGrad: true, dtype: DType.Float64);
        Tensor x0 = x[0], x1 = x[1];
        Tensor f = x0 * x0 * x1 + x1.Sin();
        Tensor g = Autograd.Grad(f, x, createGraph: true);
        var v = Tensor.From([0.3, 0.7], dtype: DType.Float64);
        Tensor hv = Autograd.Grad((g * v).Sum(), x);
        // H = [[2 x1, 2 x0], [2 x0, -sin x1]]
        double h00 = 2 * -0.5, h01 = 2 * 1.5, h11 = -Math.Sin(-0.5);
        Assert.Equal(h00 * 0.3 + h01 * 0.7, hv.ToArray<double>()[0], 12);
        Assert.Equal(h01 * 0.3 + h11 * 0.7, hv.ToArray<double>()[1], 12);
    }
}
