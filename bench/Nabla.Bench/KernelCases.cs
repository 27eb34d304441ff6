using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Bench;

/// <summary>
/// The kernel-level cases that both <see cref="KernelBenchmarks"/> (BenchmarkDotNet) and <see cref="KernelStopwatch"/>
/// (the side-by-side run against <c>bench/pytorch/kernels.py</c>) time. Each name is also the PyTorch script's case
/// name, with the same shapes and the same work per call: float32, the MLP's and the CNN preset's layer shapes at
/// batch 128, and 1M-element tensors where an op splits over both threads. A <c>_fb</c> case runs the op forward
/// and backward from a given output gradient (<c>y.Backward(g)</c>, PyTorch's <c>y.backward(g)</c>).
/// </summary>
public static class KernelCases
{
    /// <summary>The case names, in table order.</summary>
    public static IReadOnlyList<string> Names => s_names ??= [.. Builders.Keys];

    private static IReadOnlyList<string>? s_names;

    /// <summary>Makes the operands of case <paramref name="name"/> and returns one call of it.</summary>
    public static Action Create(string name) =>
        Builders.TryGetValue(name, out var build) ? build(new Generator(1))
        : throw new ArgumentException($"unknown kernel case '{name}'; expected one of: {string.Join(", ", Builders.Keys)}");

    private static Tensor R(Generator g, params int[] shape) => Tensor.Randn(shape, generator: g);

    private static Tensor P(Generator g, params int[] shape) => Tensor.Randn(shape, generator: g, requiresGrad: true);

    /// <summary>Uniform in [0.999, 1.001): long products stay normal numbers (no denormal slow paths).</summary>
    private static Tensor Near1(Generator g, params int[] shape) => (Tensor.Rand(shape, generator: g) * 0.002 + 0.999).Detach();

    private static Action Fb(Func<Tensor> forward, Tensor[] leaves)
    {
        Tensor g = Tensor.OnesLike(forward());
        return () =>
        {
            foreach (Tensor t in leaves) t.Grad = null;
            forward().Backward(g);
        };
    }

    private static Action NoGrad(Func<Tensor> op) => () =>
    {
        using (Autograd.NoGrad()) op();
    };

    private static Action Step(Func<IEnumerable<Tensor>, Optimizer> make, Generator g)
    {
        // The mlp preset's parameters (784-512-256-10: 536k), each with a fixed gradient.
        Tensor[] ps = [P(g, 512, 784), P(g, 512), P(g, 256, 512), P(g, 256), P(g, 10, 256), P(g, 10)];
        foreach (Tensor p in ps) p.Grad = Tensor.RandnLike(p, g);
        Optimizer opt = make(ps);
        return opt.Step;
    }

    private static readonly Dictionary<string, Func<Generator, Action>> Builders = new()
    {
        // Elementwise, contiguous and broadcast (a bias over a batch), at the MLP's size and at 1M elements.
        ["add_128x512"] = g => { Tensor a = R(g, 128, 512), b = R(g, 128, 512); return NoGrad(() => a + b); },
        ["add_bias_128x512"] = g => { Tensor a = R(g, 128, 512), b = R(g, 512); return NoGrad(() => a + b); },
        ["mul_1024x1024"] = g => { Tensor a = R(g, 1024, 1024), b = R(g, 1024, 1024); return NoGrad(() => a * b); },
        ["relu_128x512"] = g => { Tensor a = R(g, 128, 512); return NoGrad(a.Relu); },
        ["relu_1024x1024"] = g => { Tensor a = R(g, 1024, 1024); return NoGrad(a.Relu); },
        ["tanh_1024x1024"] = g => { Tensor a = R(g, 1024, 1024); return NoGrad(a.Tanh); },
        ["exp_1024x1024"] = g => { Tensor a = R(g, 1024, 1024); return NoGrad(a.Exp); },
        ["sigmoid_1024x1024"] = g => { Tensor a = R(g, 1024, 1024); return NoGrad(a.Sigmoid); },
        ["relu_fb_128x512"] = g => { Tensor a = P(g, 128, 512); return Fb(a.Relu, [a]); },
        // Reductions: all elements, over rows, over columns, and max with indices along a row.
        ["sum_1024x1024"] = g => { Tensor a = R(g, 1024, 1024); return NoGrad(a.Sum); },
        ["sum_dim0_1024x1024"] = g => { Tensor a = R(g, 1024, 1024); return NoGrad(() => a.Sum(0)); },
        ["sum_dim1_1024x1024"] = g => { Tensor a = R(g, 1024, 1024); return NoGrad(() => a.Sum(1)); },
        ["max_dim1_128x512"] = g => { Tensor a = R(g, 128, 512); return NoGrad(() => a.Max(1).Values); },
        // Issue 15's reductions, scans and sorts along the last dim (dim1) and along another dim (dim0).
        ["max_dim0_1024x1024"] = g => { Tensor a = R(g, 1024, 1024); return NoGrad(() => a.Max(0).Values); },
        ["amax_dim1_1024x1024"] = g => { Tensor a = R(g, 1024, 1024); return NoGrad(() => a.Amax(1)); },
        ["amax_dim0_1024x1024"] = g => { Tensor a = R(g, 1024, 1024); return NoGrad(() => a.Amax(0)); },
        ["prod_dim1_1024x1024"] = g => { Tensor a = Near1(g, 1024, 1024); return NoGrad(() => a.Prod(1)); },
        ["prod_dim0_1024x1024"] = g => { Tensor a = Near1(g, 1024, 1024); return NoGrad(() => a.Prod(0)); },
        ["norm_dim1_1024x1024"] = g => { Tensor a = R(g, 1024, 1024); return NoGrad(() => a.Norm(2, 1)); },
        ["norm_dim0_1024x1024"] = g => { Tensor a = R(g, 1024, 1024); return NoGrad(() => a.Norm(2, 0)); },
        ["cumsum_dim1_1024x1024"] = g => { Tensor a = R(g, 1024, 1024); return NoGrad(() => a.CumSum(1)); },
        ["cumsum_dim0_1024x1024"] = g => { Tensor a = R(g, 1024, 1024); return NoGrad(() => a.CumSum(0)); },
        ["any_dim1_1024x1024"] = g => { Tensor m = R(g, 1024, 1024).Gt(3.0); return NoGrad(() => m.Any(1)); },
        ["any_dim0_1024x1024"] = g => { Tensor m = R(g, 1024, 1024).Gt(3.0); return NoGrad(() => m.Any(0)); },
        ["sort_dim1_128x1000"] = g => { Tensor a = R(g, 128, 1000); return NoGrad(() => a.Sort(1).Values); },
        ["sort_dim0_1000x128"] = g => { Tensor a = R(g, 1000, 128); return NoGrad(() => a.Sort(0).Values); },
        ["topk5_dim1_128x1000"] = g => { Tensor a = R(g, 128, 1000); return NoGrad(() => a.TopK(5, 1).Values); },
        ["topk5_dim0_1000x128"] = g => { Tensor a = R(g, 1000, 128); return NoGrad(() => a.TopK(5, 0).Values); },
        ["cumprod_fb_128x512"] = g => { Tensor a = Near1(g, 128, 512); a.RequiresGrad = true; return Fb(() => a.CumProd(1), [a]); },
        ["norm_fb_128x512"] = g => { Tensor a = P(g, 128, 512); return Fb(() => a.Norm(2, 1), [a]); },
        // Softmax family and the fused cross-entropy (log-softmax + NLL) with its backward.
        ["log_softmax_128x1000"] = g => { Tensor a = R(g, 128, 1000); return NoGrad(() => a.LogSoftmax(1)); },
        ["softmax_fb_128x1000"] = g => { Tensor a = P(g, 128, 1000); return Fb(() => a.Softmax(1), [a]); },
        ["cross_entropy_fb_128x10"] = g =>
        {
            Tensor logits = P(g, 128, 10);
            Tensor target = Tensor.From(Enumerable.Range(0, 128).Select(i => (long)(i % 10)).ToArray());
            return Fb(() => Functional.CrossEntropy(logits, target), [logits]);
        },
        // Layers at the MLP's and CNN's shapes (batch 128).
        ["linear_128x784_512"] = g => { Tensor x = R(g, 128, 784), w = R(g, 512, 784), b = R(g, 512); return NoGrad(() => Functional.Linear(x, w, b)); },
        ["linear_fb_128x784_512"] = g =>
        {
            Tensor x = R(g, 128, 784), w = P(g, 512, 784), b = P(g, 512);
            return Fb(() => Functional.Linear(x, w, b), [w, b]);
        },
        ["bmm_16x128x64x128"] = g => { Tensor a = R(g, 16, 128, 64), b = R(g, 16, 64, 128); return NoGrad(() => a.MatMul(b)); },
        ["conv1_128x1x28x28"] = g => { Tensor x = R(g, 128, 1, 28, 28), w = R(g, 32, 1, 3, 3), b = R(g, 32); return NoGrad(() => Functional.Conv2d(x, w, b)); },
        ["conv2_128x32x13x13"] = g => { Tensor x = R(g, 128, 32, 13, 13), w = R(g, 64, 32, 3, 3), b = R(g, 64); return NoGrad(() => Functional.Conv2d(x, w, b)); },
        ["conv2_fb_128x32x13x13"] = g =>
        {
            Tensor x = P(g, 128, 32, 13, 13), w = P(g, 64, 32, 3, 3), b = P(g, 64);
            return Fb(() => Functional.Conv2d(x, w, b), [x, w, b]);
        },
        // A DCGAN-style upsampling layer and the convolution it is the input gradient of (same multiply-adds).
        ["convt_32x64x16x16"] = g => { Tensor x = R(g, 32, 64, 16, 16), w = R(g, 64, 32, 4, 4), b = R(g, 32); return NoGrad(() => Functional.ConvTranspose2d(x, w, b, [2, 2], [1, 1])); },
        ["convt_mirror_32x32x32x32"] = g => { Tensor x = R(g, 32, 32, 32, 32), w = R(g, 64, 32, 4, 4), b = R(g, 64); return NoGrad(() => Functional.Conv2d(x, w, b, [2, 2], [1, 1])); },
        ["convt_fb_32x64x16x16"] = g =>
        {
            Tensor x = P(g, 32, 64, 16, 16), w = P(g, 64, 32, 4, 4), b = P(g, 32);
            return Fb(() => Functional.ConvTranspose2d(x, w, b, [2, 2], [1, 1]), [x, w, b]);
        },
        ["convt_mirror_fb_32x32x32x32"] = g =>
        {
            Tensor x = P(g, 32, 32, 32, 32), w = P(g, 64, 32, 4, 4), b = P(g, 64);
            return Fb(() => Functional.Conv2d(x, w, b, [2, 2], [1, 1]), [x, w, b]);
        },
        ["maxpool_128x32x26x26"] = g => { Tensor x = R(g, 128, 32, 26, 26); return NoGrad(() => Functional.MaxPool2d(x, [2, 2])); },
        ["maxpool_fb_128x32x26x26"] = g => { Tensor x = P(g, 128, 32, 26, 26); return Fb(() => Functional.MaxPool2d(x, [2, 2]), [x]); },
        // Optimizer updates over the MLP's 536k parameters.
        ["adam_step_mlp"] = g => Step(ps => new Adam(ps, lr: 1e-3), g),
        ["sgd_momentum_step_mlp"] = g => Step(ps => new Sgd(ps, lr: 0.01, momentum: 0.9), g),
    };
}
