using Nabla.NN;
using Nabla.Optim;

namespace Nabla;

// Note [Warm-up]
// Nabla is compiled at run time: the first call of each kernel instantiation (an op for a dtype, its backward rule, its
// broadcasting and reduction paths) pays for its compilation, about a millisecond each at full optimisation. A short
// program pays for little else: the batched micrograd demo (W5) spends ~90 ms of its first run compiling ~80 methods on
// its own thread and then 7 ms training. ReadyToRun cannot take that away (Note [Hot methods], docs/benchmarks.md);
// the runtime's multicore JIT can, but only from a profile recorded by an earlier run (Note [JIT profiles] in the CLI).
// Warm-up is the same idea without the earlier run: a background thread runs the ops a training step is made of
// (creation, broadcast arithmetic, activations, reductions, matmul and Linear, the common losses, comparisons, dtype
// conversion, in-place updates, SGD and Adam, 0-d scalars), forward and backward, on tensors of a few elements, so that
// the runtime compiles their code on an otherwise idle core before the program's own thread reaches them. A method the
// program reaches first is compiled once, by whichever thread got there first; the other waits for it.
// It is kept away from global state: its tensors are made from fixed values (no generator is drawn from), no scope
// (NoGrad, DetectAnomaly, BufferReuse) leaks out of its thread, its graphs are far below the size at which backward
// collects (Note [Collect after backward]), and its sizes stay below every kernel's threshold for helper threads, so
// it never adds a busy thread beyond its own. It does not make anything faster once compiled and does not change a result.
// Measured with `nabla bench scalar --json` (which starts it for float64 while the scalar form runs): see
// docs/benchmarks.md.

/// <summary>
/// Compiles Nabla's common training path for a dtype ahead of its first use, on a background thread
/// (see Note [Warm-up]). Optional: it only moves one-time compilation off the program's thread.
/// </summary>
/// <example><code>Warmup.Start(DType.Float32); // then load data and build the model as usual</code></example>
public static class Warmup
{
    /// <summary>
    /// Starts warming up the given floating-point dtypes on a background thread, in order, and returns at once.
    /// The task completes when every dtype is done, or faults with the first exception.
    /// </summary>
    /// <exception cref="ArgumentException">A dtype is not floating point, or none was given.</exception>
    public static Task Start(params DType[] dtypes)
    {
        ArgumentNullException.ThrowIfNull(dtypes);
        if (dtypes.Length == 0)
            throw new ArgumentException("Warmup.Start: expected at least one dtype (float32 or float64), got none", nameof(dtypes));
        foreach (DType dtype in dtypes) CheckDType(dtype);
        DType[] order = (DType[])dtypes.Clone();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                foreach (DType dtype in order) Run(dtype);
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true, // never keeps the process alive
            Name = "Nabla warm-up",
            Priority = ThreadPriority.BelowNormal,
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>Runs the warm-up for <paramref name="dtype"/> on the calling thread and returns when it is done.</summary>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not floating point.</exception>
    public static void Run(DType dtype)
    {
        CheckDType(dtype);
        using (Autograd.EnableGrad())
        {
            Tensors(dtype);
            Scalars(dtype);
            Model(dtype);
        }
    }

    private static void CheckDType(DType dtype)
    {
        if (!dtype.IsFloatingPoint())
            throw new ArgumentException($"Warmup: expected a floating-point dtype (float32 or float64), got {dtype.Name()}", nameof(dtype));
    }

    /// <summary>Tensor arithmetic as a hand-written model uses it: matmul, broadcasting, activations, reductions, losses, manual SGD.</summary>
    private static void Tensors(DType dtype)
    {
        Tensor x = Tensor.Linspace(-1, 1, 40, dtype).Reshape(8, 5);
        // 20 columns: rows and dot products long enough for the vector loops of both dtypes, with a remainder.
        Tensor w = Tensor.Linspace(-0.5, 0.5, 100, dtype).Reshape(5, 20);
        Tensor b = Tensor.Linspace(-0.1, 0.1, 20, dtype);
        Tensor v = Tensor.Linspace(0.5, 1.5, 20, dtype).Reshape(20, 1);
        w.RequiresGrad = true;
        b.RequiresGrad = true;
        v.RequiresGrad = true;
        Tensor signs = Tensor.Linspace(-1, 1, 8, dtype).Reshape(8, 1).Gt(0).To(dtype) * 2.0 - 1.0;
        Tensor[] parameters = [w, b, v];

        Tensor h = x.MatMul(w) + b;
        Tensor a = h.Relu() + h.Tanh() * 0.5 + h.Sigmoid() - h.Exp() / 8.0 + (h * h + 1.0).Log() + h.Neg().Abs().Sqrt();
        Tensor score = a.MatMul(v);
        Tensor margin = (1.0 - score * signs).Relu().Mean();
        Tensor spread = a.Sum(1).Mean() + a.Mean(0, keepDim: true).Sum() + a.Max(1).Sum() + a.Pow(2).Mean() / (a.Square().Sum() + 1.0);
        Tensor reg = parameters.Select(t => (t * t).Sum()).Aggregate((p, q) => p + q);
        Tensor total = margin + spread * 0.01 + reg * 1e-4 + Functional.MseLoss(score, signs);
        total.Backward();
        using (Autograd.NoGrad())
        {
            foreach (Tensor t in parameters)
            {
                t.SubInPlace(t.Grad! * 0.1);
                t.Grad = null;
            }
            _ = (score.Detach() * signs).Gt(0).To(dtype).Mean().Item();
            _ = x.MatMul(w).Relu().Sum().Item();
        }
    }

    /// <summary>Micrograd-style arithmetic on 0-d tensors.</summary>
    private static void Scalars(DType dtype)
    {
        Tensor p = Tensor.Scalar(0.5, dtype), q = Tensor.Scalar(-0.25, dtype), c = Tensor.Scalar(2, dtype);
        p.RequiresGrad = true;
        q.RequiresGrad = true;
        Tensor s = (p * c + q).Relu() + (p * q).Tanh() + (1.0 - p * 3.0).Relu() / 4.0 + p * p;
        s.Backward();
        using (Autograd.NoGrad())
        {
            p.SubInPlace(p.Grad! * 0.1);
            q.SubInPlace(q.Grad! * 0.1);
        }
        _ = s.Item();
    }

    /// <summary>A module model trained the usual way: Linear+ReLU layers, cross entropy, SGD and Adam; then inference.</summary>
    private static void Model(DType dtype)
    {
        var generator = new Generator(0); // its own: the default generator's sequence is the program's
        // The first layer's products (16x48 by 48x64 and its two backward products) take the packed GEMM path, on one thread.
        var model = new Sequential(
            new Linear(48, 64, dtype: dtype, generator: generator), new Relu(),
            new Linear(64, 3, dtype: dtype, generator: generator));
        Tensor x = Tensor.Linspace(-1, 1, 16 * 48, dtype).Reshape(16, 48);
        Tensor labels = Tensor.From(Enumerable.Range(0, 16).Select(i => (long)(i % 3)).ToArray());
        Optimizer[] optimizers = [new Sgd(model.Parameters(), 0.1, momentum: 0.9), new Adam(model.Parameters(), 1e-3)];
        foreach (Optimizer optimizer in optimizers)
        {
            optimizer.ZeroGrad();
            Tensor logits = model.Forward(x);
            (Functional.CrossEntropy(logits, labels) + Functional.MseLoss(logits.Softmax(1), logits.Detach().Softmax(1))).Backward();
            optimizer.Step();
        }
        using (Autograd.NoGrad())
            _ = model.Forward(x).ArgMax(1).Eq(labels).To(dtype).Mean().Item();
    }
}
