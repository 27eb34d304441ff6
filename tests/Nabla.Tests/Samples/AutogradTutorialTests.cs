using Nabla.NN;

namespace Nabla.Tests.Samples;

/// <summary>
/// PyTorch's "Automatic differentiation with torch.autograd" tutorial, written line for line in Nabla: a one-layer
/// network with a logistic loss, the gradient functions it records, no-grad and detach, and the Jacobian-vector
/// products of the tutorial's last part (gradients accumulate over calls until zeroed).
/// </summary>
public class AutogradTutorialTests
{
    [Fact]
    public void OneLayerNetwork_LogisticLoss_GradientsMatchTheClosedForm()
    {
        var x = Tensor.Ones([5]);                                  // x = torch.ones(5)  # input tensor
        var y = Tensor.Zeros([3]);                                 // y = torch.zeros(3)  # expected output
        var w = Tensor.Randn([5, 3], generator: new Generator(0), requiresGrad: true);
        var b = Tensor.Randn([3], generator: new Generator(1), requiresGrad: true);
        var z = x.MatMul(w) + b;                                   // z = torch.matmul(x, w)+b
        var loss = Functional.BinaryCrossEntropyWithLogits(z, y);  // loss = F.binary_cross_entropy_with_logits(z, y)

        Assert.Equal("AddBackward", z.GradFn!.Name);
        Assert.Equal("BinaryCrossEntropyWithLogitsBackward", loss.GradFn!.Name);

        loss.Backward();
        // dloss/dz = (sigmoid(z) - y) / 3; w.grad = outer(x, dz) and b.grad = dz.
        float[] dz = [.. z.Detach().Sigmoid().ToArray<float>().Select(s => s / 3)];
        float[] wGrad = w.Grad!.ToArray<float>(), bGrad = b.Grad!.ToArray<float>();
        for (int j = 0; j < 3; j++)
        {
            Assert.Equal(dz[j], bGrad[j], 6);
            for (int i = 0; i < 5; i++) Assert.Equal(dz[j], wGrad[i * 3 + j], 6);
        }
    }

    [Fact]
    public void NoGradAndDetach_StopTracking()
    {
        var x = Tensor.Ones([5]);
        var w = Tensor.Randn([5, 3], generator: new Generator(0), requiresGrad: true);
        var b = Tensor.Randn([3], generator: new Generator(1), requiresGrad: true);
        var z = x.MatMul(w) + b;
        Assert.True(z.RequiresGrad);
        using (Autograd.NoGrad()) z = x.MatMul(w) + b;            // with torch.no_grad(): z = torch.matmul(x, w)+b
        Assert.False(z.RequiresGrad);
        var zDet = (x.MatMul(w) + b).Detach();                     // z_det = z.detach()
        Assert.False(zDet.RequiresGrad);
    }

    [Fact]
    public void JacobianProducts_AccumulateUntilZeroed()
    {
        var inp = Tensor.Eye(4, 5, requiresGrad: true);            // inp = torch.eye(4, 5, requires_grad=True)
        var @out = (inp + 1).Pow(2).T();                           // out = (inp+1).pow(2).t()
        @out.Backward(Tensor.OnesLike(@out), retainGraph: true);   // out.backward(torch.ones_like(out), retain_graph=True)
        // d/dinp sum((inp + 1)^2) = 2 (inp + 1): 4 on the diagonal, 2 elsewhere.
        float[] first = inp.Grad!.ToArray<float>();
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 5; j++) Assert.Equal(i == j ? 4f : 2f, first[i * 5 + j]);

        @out.Backward(Tensor.OnesLike(@out), retainGraph: true);   // second call: the gradients add up
        Assert.Equal(first.Select(v => 2 * v), inp.Grad!.ToArray<float>());

        inp.Grad!.Zero();                                          // inp.grad.zero_()
        @out.Backward(Tensor.OnesLike(@out), retainGraph: true);
        Assert.Equal(first, inp.Grad!.ToArray<float>());
    }
}
