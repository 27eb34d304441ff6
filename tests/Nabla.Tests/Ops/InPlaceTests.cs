
namespace Nabla.Tests.Ops;

/// <summary>In-place ops (Ops/InPlace.cs): refused on tensors that record a gradient, version bumps that make a stale backward throw.</summary>
public class InPlaceTests
{
    [Fact]
    public void InPlace_OnSavedTensor_MakesBackwardThrow()
    {
        var w = Tensor.From([1.0, 2.0], requiresGrad: true, dtype: DType.Float64);
        var a = Tensor.From([3.0, 4.0], dtype: DType.Float64);
        Tensor loss = (w * a).Sum();
        a.AddInPlace(1.0);
        var ex = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.Contains("in-place", ex.Message);
        Assert.Contains("MulBackward", ex.Message);
    }

    [Fact]
    public void InPlace_OnSavedOutputThroughView_MakesBackwardThrow()
    {
        var x = Tensor.From([1.0, 2.0], requiresGrad: true, dtype: DType.Float64);
        Tensor y = x.Exp();
        Tensor loss = y.Sum();
        using (Autograd.NoGrad()) y.Detach()[0..1].MulInPlace(2.0);
        Assert.Throws<InvalidOperationException>(() => loss.Backward());
    }

    [Fact]
    public void InPlace_OnTensorRequiringGrad_OutsideNoGrad_Throws()
    {
        var w = Tensor.From([1.0, 2.0], requiresGrad: true, dtype: DType.Float64);
        var ex = Assert.Throws<InvalidOperationException>(() => w.AddInPlace(1.0));
        Assert.Contains("NoGrad", ex.Message);
        using (Autograd.NoGrad()) w.AddInPlace(1.0);
        Assert.Equal([2.0, 3.0], w.ToArray<double>());
    }

    [Fact]
    public void InPlace_BumpsVersionSharedByViews()
    {
        var a = Tensor.Zeros([2, 2]);
        Tensor v = a.Transpose(0, 1);
        int before = a.Version;
        v.Fill(1);
        Assert.Equal(before + 1, a.Version);
        Assert.Equal([1f, 1f, 1f, 1f], a.ToArray<float>());
    }
}
