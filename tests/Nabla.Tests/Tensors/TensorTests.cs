
namespace Nabla.Tests.Tensors;

/// <summary>The tensor's autograd surface (Tensor.cs): RequiresGrad, RetainGrad, Detach, hooks and the version shared with views.</summary>
public class TensorTests
{
    [Fact]
    public void RetainGrad_OnIntermediate_KeepsItsGradient()
    {
        var x = Tensor.Scalar(2.0, requiresGrad: true, dtype: DType.Float64);
        Tensor h = x * 3.0;
        h.RetainGrad();
        (h * h).Backward();
        Assert.Equal(12.0, h.Grad!.Item());
        Assert.Equal(36.0, x.Grad!.Item());
    }

    [Fact]
    public void Intermediate_WithoutRetainGrad_HasNoGrad()
    {
        var x = Tensor.Scalar(2.0, requiresGrad: true, dtype: DType.Float64);
        Tensor h = x * 3.0;
        (h * h).Backward();
        Assert.Null(h.Grad);
    }

    [Fact]
    public void Detach_CutsTheGraph()
    {
        var x = Tensor.Scalar(2.0, requiresGrad: true, dtype: DType.Float64);
        Tensor d = (x * x).Detach();
        Assert.False(d.RequiresGrad);
        Assert.True(d.IsLeaf);
        (x * d).Backward();
        Assert.Equal(4.0, x.Grad!.Item());
    }

    [Fact]
    public void RegisterHook_CanReplaceGradient()
    {
        var x = Tensor.Scalar(2.0, requiresGrad: true, dtype: DType.Float64);
        Tensor h = x * 3.0;
        using (h.RegisterHook(g => g * 10.0))
            h.Backward();
        Assert.Equal(30.0, x.Grad!.Item());
    }

    [Fact]
    public void RegisterHook_OnLeaf_SeesGradientAndDisposeRemovesIt()
    {
        var x = Tensor.Scalar(2.0, requiresGrad: true, dtype: DType.Float64);
        double seen = 0;
        IDisposable handle = x.RegisterHook(g => { seen = g.Item(); });
        (x * 5.0).Backward();
        Assert.Equal(5.0, seen);
        handle.Dispose();
        seen = 0;
        (x * 7.0).Backward();
        Assert.Equal(0.0, seen);
    }

    [Fact]
    public void RegisterHook_ReturningWrongShape_Throws()
    {
        var x = Tensor.From([1.0, 2.0], requiresGrad: true, dtype: DType.Float64);
        x.RegisterHook(g => Tensor.Zeros([3], DType.Float64));
        var ex = Assert.Throws<InvalidOperationException>(() => x.Sum().Backward());
        Assert.Contains("[3]", ex.Message);
    }

    [Fact]
    public void RequiresGrad_OnIntegerTensor_Throws()
    {
        var t = Tensor.From([1L, 2L]);
        var ex = Assert.Throws<InvalidOperationException>(() => t.RequiresGrad = true);
        Assert.Contains("int64", ex.Message);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void FreshTensor_StorageMadeLater_StillSharesTheVersionWithViewsAndSavedCopies(DType dtype)
    {
        // Note [Tensor layout]: a fresh result has no Storage until a view, Detach or in-place bump needs one; its
        // version is 0 until then, and every way of reaching the same elements afterwards sees the same counter.
        var w = Tensor.Scalar(1.5, requiresGrad: true, dtype: DType.Float64).To(dtype);
        Tensor t = Tensor.Scalar(2.0, dtype) * 3.0;      // fresh, no Storage yet
        Tensor y = w * t;                                // MulBackward saves t at version 0
        Assert.Equal(0, t.Version);
        using (Autograd.NoGrad()) t.AddInPlace(Tensor.Scalar(1.0, dtype)); // first bump makes the Storage
        Assert.Equal(1, t.Version);
        var ex = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("MulBackward", ex.Message);

        Tensor u = Tensor.Ones([3], dtype) * 2.0;        // fresh again
        Tensor view = u.Unsqueeze(0);                    // the view makes the Storage, at version 0
        Tensor detached = u.Detach();
        Assert.Equal(0, view.Version);
        using (Autograd.NoGrad()) view.MulInPlace(3.0);
        Assert.Equal([1, 1, 1], new[] { u.Version, view.Version, detached.Version });
        Assert.Equal([6.0, 6.0, 6.0], u.To(DType.Float64).ToArray<double>());
        using (Autograd.NoGrad()) detached.AddInPlace(1.0);
        Assert.Equal([2, 2, 2], new[] { u.Version, view.Version, detached.Version });
        Assert.Equal([7.0, 7.0, 7.0], view.To(DType.Float64).ToArray<double>());
    }

    [Fact]
    public void GradHooksAndRetainGrad_InTheSideObject_BehaveAsBefore()
    {
        var x = Tensor.Scalar(3.0, requiresGrad: true, dtype: DType.Float64);
        Assert.Null(x.Grad);
        x.Grad = null;                                   // clearing a gradient that was never set
        Assert.Null(x.Grad);
        int leafHookCalls = 0;
        x.RegisterHook(g => { leafHookCalls++; return g * 2.0; });
        Tensor u = x * 4.0;                              // one gradient reaches x (one hook call)
        u.RetainGrad();
        Assert.True(u.RetainsGrad);
        Assert.False(x.RetainsGrad);
        (u * 5.0).Backward();
        Assert.Equal(5.0, u.Grad!.Item());
        Assert.Equal(2 * 4.0 * 5.0, x.Grad!.Item());     // the leaf hook doubled d/dx = 4·5
        Assert.Equal(1, leafHookCalls);
        x.Grad = null;
        Assert.Null(x.Grad);
    }
}
