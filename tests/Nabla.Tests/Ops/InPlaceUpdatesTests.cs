using static Nabla.Tests.ErrorAssert;

namespace Nabla.Tests.Ops;

/// <summary>The in-place updates optimizers are written with (Ops/InPlaceUpdates.cs), against their out-of-place forms.</summary>
public class InPlaceUpdatesTests
{
    private static Tensor D(params double[] v) => Tensor.From(v, dtype: DType.Float64);

    [Fact]
    public void AdamStep_WrittenWithInPlaceOps_MatchesTheOutOfPlaceFormula()
    {
        Tensor p = D(1, -2, 3), g = D(0.5, 0.1, -1), m = D(0.1, 0, 0.2), v = D(0.01, 0.02, 0);
        double beta1 = 0.9, beta2 = 0.999, lr = 0.01, eps = 1e-8;
        double[] mExpected = (m * beta1 + g * (1 - beta1)).ToDoubleArray();
        double[] vExpected = (v * beta2 + g * (1 - beta2) * g).ToDoubleArray();
        double[] pExpected = (p + (m * beta1 + g * (1 - beta1)) * -lr / ((v * beta2 + g * (1 - beta2) * g).Sqrt() + eps)).ToDoubleArray();

        Assert.Same(m, m.Mul_(beta1).Add_(g, alpha: 1 - beta1));
        Assert.Same(v, v.Mul_(beta2).AddCMul_(g, g, value: 1 - beta2));
        Assert.Same(p, p.AddCDiv_(m, v.Sqrt().Add_(eps), value: -lr));
        Assert.Equal(mExpected, m.ToDoubleArray());
        Assert.Equal(vExpected, v.ToDoubleArray());
        Assert.Equal(pExpected, p.ToDoubleArray());
    }

    [Fact]
    public void SubDivLerpZero_UpdateInPlaceAndBumpTheVersion()
    {
        Tensor t = D(4, 8);
        int version = t.Version;
        t.Sub_(D(1, 1), alpha: 2).Div_(2).Div_(D(1, 3));
        Assert.Equal([1.0, 1], t.ToDoubleArray());
        t.Lerp_(D(3, 5), 0.5);
        Assert.Equal([2.0, 3], t.ToDoubleArray());
        t.Lerp_(D(4, 4), D(1, 0));
        Assert.Equal([4.0, 3], t.ToDoubleArray());
        Assert.Equal(version + 5, t.Version);
        Assert.Equal([0.0, 0], t.Zero_().ToDoubleArray());
    }

    [Fact]
    public void InPlace_OnALeafThatRequiresGrad_RefusesOutsideNoGrad()
    {
        Tensor w = Tensor.From([1.0, 2], requiresGrad: true, dtype: DType.Float64);
        AssertMessage(Assert.Throws<InvalidOperationException>(() => w.AddCMul_(D(1, 1), D(1, 1))), "addcmul_", "NoGrad");
        using (Autograd.NoGrad()) w.AddCMul_(D(1, 1), D(2, 3), value: 0.5);
        Assert.Equal([2.0, 3.5], w.ToDoubleArray());
    }

    [Fact]
    public void InPlace_SavedForBackward_IsReportedByTheVersionCheck()
    {
        Tensor x = Tensor.From([1.0, 2], requiresGrad: true, dtype: DType.Float64);
        Tensor y = x.Exp();
        Tensor loss = (y * y).Sum();
        using (Autograd.NoGrad()) y.Add_(D(1, 1), alpha: 3);
        AssertMessage(Assert.Throws<InvalidOperationException>(() => loss.Backward()), "MulBackward", "in-place");
    }

    [Fact]
    public void InPlace_ResultOfAnotherDTypeOrShape_IsRefused()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Arange(3).Add_(Tensor.Arange(3), alpha: 0.5)), "add_", "float32", "int64");
        AssertMessage(Assert.Throws<ArgumentException>(() => D(1).AddCDiv_(D(1, 2), D(1, 2))), "addcdiv_", "[2]", "[1]");
    }

    [Fact]
    public void RequiresGrad_ChainsFromCreation()
    {
        Tensor x = Tensor.Randn([3], DType.Float64).RequiresGrad_();
        Assert.True(x.RequiresGrad);
        Assert.False(x.RequiresGrad_(false).RequiresGrad);
        Assert.Throws<InvalidOperationException>(() => Tensor.Arange(2).RequiresGrad_());
    }
}
