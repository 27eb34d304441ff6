using System.Globalization;
using System.Numerics.Tensors;

namespace Nabla.Optim;

/// <summary>
/// The run state of <see cref="Lbfgs"/> that persists across steps (PyTorch keeps it in the state of the first parameter):
/// counters, the last direction and step, the gradient and loss of the last iteration, and the curvature memory.
/// </summary>
internal sealed class LbfgsHistory
{
    /// <summary>The prefix of every state key (the run state belongs to parameter 0, as in PyTorch).</summary>
    public const string Prefix = "state.";

    private const string Key0 = "state.0.";
    private const double MaxCount = 9007199254740992; // 2^53: every whole number up to it is a double

    public long FuncEvals { get; set; }

    public long NIter { get; set; }

    /// <summary>The last direction (null before the first iteration).</summary>
    public double[]? D { get; private set; }

    /// <summary>The last step length along <see cref="D"/>.</summary>
    public double T { get; set; }

    /// <summary>The scale of the initial inverse-Hessian approximation.</summary>
    public double HDiag { get; private set; } = 1;

    public double[]? PrevGrad { get; set; }

    public double PrevLoss { get; set; }

    /// <summary>The remembered gradient differences y (PyTorch's <c>old_dirs</c>), oldest first.</summary>
    public List<double[]> OldDirs { get; private set; } = [];

    /// <summary>The remembered steps s (PyTorch's <c>old_stps</c>), oldest first.</summary>
    public List<double[]> OldStps { get; private set; } = [];

    /// <summary>1 / (y.s) of each remembered pair.</summary>
    public List<double> Ro { get; private set; } = [];

    /// <summary>The first iteration of the run: steepest descent, empty memory.</summary>
    public void Start(double[] g)
    {
        D = Negated(g);
        OldDirs = [];
        OldStps = [];
        Ro = [];
        HDiag = 1;
    }

    /// <summary>
    /// Remembers the last curvature pair when y.s &gt; 1e-10 (dropping the oldest beyond <paramref name="historySize"/>),
    /// then sets <see cref="D"/> to -H g by the two-loop recursion.
    /// </summary>
    public void UpdateDirection(double[] g, int historySize)
    {
        double[] y = new double[g.Length], s = new double[g.Length];
        TensorPrimitives.Subtract<double>(g, PrevGrad!, y);
        TensorPrimitives.Multiply<double>(D!, T, s);
        double ys = TensorPrimitives.Dot<double>(y, s);
        if (ys > 1e-10)
        {
            while (OldDirs.Count >= historySize)
            {
                OldDirs.RemoveAt(0);
                OldStps.RemoveAt(0);
                Ro.RemoveAt(0);
            }
            OldDirs.Add(y);
            OldStps.Add(s);
            Ro.Add(1.0 / ys);
            HDiag = ys / TensorPrimitives.Dot<double>(y, y);
        }

        int k = OldDirs.Count;
        var al = new double[k];
        double[] q = Negated(g);
        for (int i = k - 1; i >= 0; i--)
        {
            al[i] = TensorPrimitives.Dot<double>(OldStps[i], q) * Ro[i];
            AddScaled(q, OldDirs[i], -al[i]);                       // q.add_(old_dirs[i], alpha=-al[i])
        }
        TensorPrimitives.Multiply<double>(q, HDiag, q);              // d = q * H_diag
        for (int i = 0; i < k; i++)
        {
            double be = TensorPrimitives.Dot<double>(OldDirs[i], q) * Ro[i];
            AddScaled(q, OldStps[i], al[i] - be);                   // d.add_(old_stps[i], alpha=al[i] - be_i)
        }
        D = q;
    }

    private static double[] Negated(double[] g)
    {
        var r = new double[g.Length];
        TensorPrimitives.Negate<double>(g, r);
        return r;
    }

    private static void AddScaled(double[] into, double[] x, double alpha)
    {
        for (int j = 0; j < into.Length; j++) into[j] += alpha * x[j];
    }

    /// <summary>Writes the run state under <c>state.0.</c> (see <see cref="Lbfgs.StateDict"/>).</summary>
    public void Save(OptimizerState state)
    {
        state.Scalars[Key0 + "funcEvals"] = FuncEvals;
        state.Scalars[Key0 + "nIter"] = NIter;
        if (D is null) return;
        state.Scalars[Key0 + "t"] = T;
        state.Scalars[Key0 + "hDiag"] = HDiag;
        state.Scalars[Key0 + "prevLoss"] = PrevLoss;
        state.Tensors[Key0 + "d"] = Vector(D);
        state.Tensors[Key0 + "prevFlatGrad"] = Vector(PrevGrad!);
        for (int k = 0; k < OldDirs.Count; k++)
        {
            state.Scalars[Indexed("ro", k)] = Ro[k];
            state.Tensors[Indexed("oldDirs", k)] = Vector(OldDirs[k]);
            state.Tensors[Indexed("oldStps", k)] = Vector(OldStps[k]);
        }
    }

    /// <summary>Reads and checks a run state written by <see cref="Save"/>, changing nothing (the caller commits it).</summary>
    /// <exception cref="ArgumentException">A key is unknown or missing, a number is out of range, or a vector has the wrong length.</exception>
    public static LbfgsHistory Load(OptimizerState state, int count, int historySize, string op)
    {
        ArgumentException Bad(string message) => new($"{op}: {message}", nameof(state));
        var scalars = new Dictionary<string, double>(StringComparer.Ordinal);
        var tensors = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var (key, value) in state.Scalars)
        {
            if (!key.StartsWith(Key0, StringComparison.Ordinal)) throw Bad($"unexpected scalar '{key}'; L-BFGS keeps its state under '{Key0}'");
            string name = key[Key0.Length..];
            if (!(name is "funcEvals" or "nIter" or "t" or "hDiag" or "prevLoss" || IsIndexed(name, "ro")))
                throw Bad($"unexpected scalar '{key}'; the state was saved by another optimizer");
            bool isCount = name is "funcEvals" or "nIter";
            if (isCount ? !(value >= 0 && value <= MaxCount && value == Math.Floor(value)) : !double.IsFinite(value))
                throw Bad(string.Create(CultureInfo.InvariantCulture, $"'{key}' is {value}; expected {(isCount ? "a whole number from 0 to 2^53" : "a finite number")}"));
            scalars[name] = value;
        }
        foreach (var (key, tensor) in state.Tensors)
        {
            string name = key.StartsWith(Key0, StringComparison.Ordinal) ? key[Key0.Length..] : "";
            if (!(name is "d" or "prevFlatGrad" || IsIndexed(name, "oldDirs") || IsIndexed(name, "oldStps")))
                throw Bad($"unexpected tensor '{key}'; the state was saved by another optimizer");
            if (tensor is null || tensor.Shape.Count != 1 || tensor.Numel != count || !tensor.DType.IsFloatingPoint())
                throw Bad($"'{key}' has shape {tensor?.Shape.ToString() ?? "null"} and dtype {tensor?.DType.Name() ?? "null"}; expected a float vector of the {count} parameter elements");
            tensors[name] = tensor.ToDoubleArray();
        }

        var h = new LbfgsHistory
        {
            FuncEvals = (long)Required(scalars, "funcEvals", Bad),
            NIter = (long)Required(scalars, "nIter", Bad),
        };
        int pairs = scalars.Keys.Count(k => IsIndexed(k, "ro"));
        if (h.NIter == 0)
        {
            if (scalars.Count > 2 || tensors.Count > 0) throw Bad("the state has no iteration (nIter = 0) but holds a direction or memory");
            return h;
        }
        if (pairs > historySize) throw Bad($"the state remembers {pairs} pairs, more than historySize = {historySize}");
        h.T = Required(scalars, "t", Bad);
        h.HDiag = Required(scalars, "hDiag", Bad);
        h.PrevLoss = Required(scalars, "prevLoss", Bad);
        h.D = Required(tensors, "d", Bad);
        h.PrevGrad = Required(tensors, "prevFlatGrad", Bad);
        for (int k = 0; k < pairs; k++)
        {
            h.Ro.Add(Required(scalars, Indexed(k, "ro"), Bad));
            h.OldDirs.Add(Required(tensors, Indexed(k, "oldDirs"), Bad));
            h.OldStps.Add(Required(tensors, Indexed(k, "oldStps"), Bad));
        }
        if (tensors.Count != 2 + 2 * pairs) throw Bad($"the state's memory is incomplete: {pairs} ro values but {tensors.Count - 2} oldDirs and oldStps vectors");
        return h;
    }

    /// <summary>Takes over the state of <paramref name="other"/>.</summary>
    public void CopyFrom(LbfgsHistory other)
    {
        FuncEvals = other.FuncEvals;
        NIter = other.NIter;
        D = other.D;
        T = other.T;
        HDiag = other.HDiag;
        PrevGrad = other.PrevGrad;
        PrevLoss = other.PrevLoss;
        OldDirs = other.OldDirs;
        OldStps = other.OldStps;
        Ro = other.Ro;
    }

    private static TValue Required<TValue>(Dictionary<string, TValue> values, string name, Func<string, ArgumentException> bad)
        => values.TryGetValue(name, out TValue? v) ? v : throw bad($"the state has no '{Key0}{name}'");

    private static bool IsIndexed(string name, string list)
        => name.StartsWith(list + ".", StringComparison.Ordinal)
           && int.TryParse(name.AsSpan(list.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int k)
           && k.ToString(CultureInfo.InvariantCulture) == name[(list.Length + 1)..];

    private static string Indexed(int k, string list) => string.Create(CultureInfo.InvariantCulture, $"{list}.{k}");

    private static string Indexed(string list, int k) => Key0 + Indexed(k, list);

    private static Tensor Vector(double[] values) => Tensor.From((double[])values.Clone(), [values.Length], dtype: DType.Float64);
}
