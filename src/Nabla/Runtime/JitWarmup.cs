using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Runtime;

// Note [Warm-up]
// Nabla is compiled at run time: the first call of each kernel instantiation (an op for a dtype, its backward rule, its
// broadcasting and reduction paths) pays for its compilation, about a millisecond each at full optimisation, which is
// most of a short program's time. The warm-up runs the ops a training step is made of (creation, broadcast arithmetic,
// activations, reductions, matmul and Linear, the common losses, comparisons, dtype conversion, in-place updates, SGD
// and Adam, 0-d scalars), forward and backward, on small tensors (up to 16x64), on a background thread, so that the
// runtime compiles their code on an idle core before the program's own thread reaches them. It is the application's
// choice (Note [Runtime policy]): it starts a thread, and that thread counts against the thread budget, so parallel
// kernels get one thread fewer while it runs (results do not depend on the count) and it does not start when no thread
// is spare. Otherwise it leaves global state alone: fixed values (no draws from a generator), no scope leaking out of
// its thread, graphs far below the collection threshold (Note [Collect after backward]), sizes below every kernel's
// threshold for helper threads. Figures: docs/benchmarks.md.

/// <summary>
/// Compiles Nabla's common training path for a dtype ahead of its first use, on a background thread
/// (see Note [Warm-up]). Optional: it only moves one-time compilation off the program's thread.
/// </summary>
/// <example><code>JitWarmup.Start(DType.Float32); // then load data and build the model as usual</code></example>
public static class JitWarmup
{
    /// <summary>
    /// Starts warming up the given floating-point dtypes on a background thread, in order, and returns at once. The
    /// thread counts against the <see cref="ThreadBudget"/> that applies here: while it runs, parallel kernels under that
    /// budget use one thread fewer. When the budget has no thread to spare (it is 1, or another warm-up holds the spare
    /// one) nothing is started and the task returned has already completed, with <c>false</c>.
    /// </summary>
    /// <returns>A task that completes with <c>true</c> when every dtype is done, or faults with the first exception.</returns>
    /// <exception cref="ArgumentException">A dtype is not floating point, or none was given.</exception>
    public static Task<bool> Start(params DType[] dtypes)
    {
        ArgumentNullException.ThrowIfNull(dtypes);
        if (dtypes.Length == 0)
            throw new ArgumentException("JitWarmup.Start: expected at least one dtype (float32 or float64), got none", nameof(dtypes));
        foreach (DType dtype in dtypes) CheckDType(dtype);
        if (ThreadBudget.TryReserve() is not { } reservation) return Task.FromResult(false);
        DType[] order = (DType[])dtypes.Clone();
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                foreach (DType dtype in order) Run(dtype);
                reservation.Dispose();
                done.SetResult(true);
            }
            catch (Exception e)
            {
                reservation.Dispose();
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
            Elementwise(dtype);
            Products(dtype);
            Scalars(dtype);
            Model(dtype);
        }
    }

    private static void CheckDType(DType dtype)
    {
        if (!dtype.IsFloatingPoint())
            throw new ArgumentException($"JitWarmup: expected a floating-point dtype (float32 or float64), got {dtype.Name()}", nameof(dtype));
    }

    /// <summary>A leaf of <paramref name="shape"/> that requires a gradient, filled with evenly spaced values from <paramref name="low"/> to <paramref name="high"/>.</summary>
    private static Tensor Leaf(double low, double high, DType dtype, params int[] shape)
    {
        Tensor t = Tensor.Linspace(low, high, shape.Aggregate(1, (a, b) => a * b), dtype).Reshape(shape);
        t.RequiresGrad = true;
        return t;
    }

    /// <summary>
    /// Each elementwise op with each operand form a model meets (same shape, a row as a bias is, a column, a 0-d tensor,
    /// a number on either side), the activations, the reductions (all, along each dim, kept or not), comparisons and
    /// dtype conversion; then backward through all of it and in-place updates of the leaves.
    /// </summary>
    private static void Elementwise(DType dtype)
    {
        // 8x20: rows long enough for the vector loops of both dtypes, with a remainder.
        Tensor a = Leaf(-1, 1, dtype, 8, 20), b = Leaf(0.5, 1.5, dtype, 8, 20);
        Tensor row = Leaf(0.5, 1, dtype, 20), column = Leaf(0.5, 1, dtype, 8, 1), scalar = Leaf(0.75, 0.75, dtype);
        Tensor[] leaves = [a, b, row, column, scalar];
        var terms = new List<Tensor>();
        foreach (Tensor o in (Tensor[])[b, row, column, scalar])
            terms.AddRange([a + o, a - o, o - a, a * o, a / o]);
        terms.AddRange([a + 2.0, a - 2.0, 2.0 - a, a * 2.0, a / 2.0, 2.0 / b]);
        terms.AddRange([a.Relu(), a.Tanh(), a.Sigmoid(), a.Exp(), b.Log(), b.Sqrt(), a.Neg(), a.Abs(), a.Square(), a.Pow(2), b.Pow(a)]); // a positive base: no NaN
        Tensor total = terms.Select(t => t.Sum()).Aggregate((p, q) => p + q)
            + a.Mean() + a.Sum(0).Sum() + a.Sum(1, keepDim: true).Mean() + a.Mean(0).Sum() + a.Mean(1, keepDim: true).Sum()
            + a.Max() + a.Amax(1).Sum() + a.Amin(0).Sum() + Functional.MseLoss(a, b) + (1.0 - a * column).Relu().Mean();
        total.Backward();
        using (Autograd.NoGrad())
        {
            foreach (Tensor t in leaves)
            {
                t.SubInPlace(t.Grad! * 0.1);
                t.Grad = null;
            }
            DType other = dtype == DType.Float32 ? DType.Float64 : DType.Float32;
            _ = a.Gt(0).To(dtype).Mean().Item() + a.Lt(b).To(dtype).Sum().Item() + a.Ge(0.5).To(other).To(dtype).Mean().Item();
            _ = a.ArgMax(1).Eq(b.ArgMax(1)).To(dtype).Mean().Item();
        }
    }

    /// <summary>Matrix products at the sizes a small model meets (matrix-matrix, matrix-vector, the packed GEMM path, batched), forward and backward.</summary>
    private static void Products(DType dtype)
    {
        Tensor x = Leaf(-1, 1, dtype, 8, 5), w = Leaf(-0.5, 0.5, dtype, 5, 20), v = Leaf(0.5, 1.5, dtype, 20, 1);
        // 16x48 by 48x64 and its two backward products take the packed GEMM path, on one thread.
        Tensor p = Leaf(-1, 1, dtype, 16, 48), q = Leaf(-0.5, 0.5, dtype, 48, 64);
        Tensor batchA = Leaf(-1, 1, dtype, 2, 8, 5), batchB = Leaf(-0.5, 0.5, dtype, 2, 5, 20);
        Tensor total = x.MatMul(w).MatMul(v).Sum() + w.Transpose(0, 1).MatMul(x.Transpose(0, 1)).Mean()
            + p.MatMul(q).Relu().Sum() + batchA.MatMul(batchB).Mean();
        total.Backward();
        using (Autograd.NoGrad())
            _ = x.MatMul(w).Sum().Item() + p.MatMul(q).Sum().Item();
    }

    /// <summary>Micrograd-style arithmetic on 0-d tensors.</summary>
    private static void Scalars(DType dtype)
    {
        Tensor p = Tensor.Scalar(0.5, dtype), q = Tensor.Scalar(-0.25, dtype), c = Tensor.Scalar(2, dtype);
        p.RequiresGrad = true;
        q.RequiresGrad = true;
        Tensor s = (p * c + q).Relu() + (p * q).Tanh() + (1.0 - p * 3.0).Relu() / 4.0 + p * p - q / c;
        s.Backward();
        using (Autograd.NoGrad())
        {
            p.SubInPlace(p.Grad! * 0.1);
            q.SubInPlace(q.Grad! * 0.1);
        }
        _ = s.Item();
    }

    /// <summary>A module model trained the usual way: Linear+ReLU and Linear+Tanh layers, cross entropy, SGD and Adam; then inference.</summary>
    private static void Model(DType dtype)
    {
        var generator = new Generator(0); // its own: the default generator's sequence is the program's
        // The first layer's products (16x48 by 48x64 and its two backward products) take the packed GEMM path, on one thread.
        var model = new Sequential(
            new Linear(48, 64, dtype: dtype, generator: generator), new Relu(),
            new Linear(64, 32, dtype: dtype, generator: generator), new Tanh(),
            new Linear(32, 3, dtype: dtype, generator: generator));
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
