using System.Text.Json;
using Nabla.Optim;
using Nabla.Tests.Reference;

namespace Nabla.Tests.Reference;

/// <summary>
/// Every case of optim.jsonl and seq/optim.jsonl: optimizer trajectories run with Nabla's own autograd (loss, gradients,
/// clipping, learning rate, momentum and parameters at every step; L-BFGS through its closure, with the closure
/// evaluations and iterations of each step) and learning-rate schedules, against PyTorch 1.13.
/// </summary>
public class OptimConformanceTests
{
    private static readonly string[] Files = ["optim.jsonl", "seq/optim.jsonl"];
    private const double ScheduleRtol = 1e-10;
    private const double ScheduleAtol = 1e-14;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string file in Files)
            foreach (string id in ReferenceData.Cases(file).Keys) data.Add(file, id);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case_MatchesPyTorch(string file, string id)
    {
        JsonElement c = ReferenceData.Cases(file)[id];
        switch (c.GetProperty("kind").GetString())
        {
            case "trajectory" when c.GetProperty("optimizer").GetProperty("name").GetString() == "LBFGS": RunLbfgsTrajectory(id, c); break;
            case "trajectory": RunTrajectory(id, c); break;
            case "schedule": RunSchedule(id, c); break;
            default: Assert.Fail($"{id}: unknown kind '{c.GetProperty("kind")}'"); break;
        }
    }

    [Theory]
    [InlineData("optim.jsonl")]
    [InlineData("seq/optim.jsonl")]
    public void Cases_EveryLineHasAUniqueId_AllAreLoaded(string file)
    {
        int lines = System.IO.File.ReadLines(Path.Combine(ReferenceData.Directory, file)).Count(l => !string.IsNullOrWhiteSpace(l));
        Assert.Equal(lines, ReferenceData.Cases(file).Count);
        Assert.True(lines > 0);
    }

    /// <summary>The problem's data and loss, and the parameters (float64 leaves) by name, from a trajectory line.</summary>
    private sealed class Problem
    {
        public Problem(JsonElement c)
        {
            JsonElement problem = c.GetProperty("problem");
            Name = problem.GetProperty("name").GetString()!;
            foreach (JsonElement d in problem.GetProperty("data").EnumerateArray())
                Data[d.GetProperty("name").GetString()!] = ReferenceData.ToTensor(d, honourRequiresGrad: false);
            foreach (JsonElement p in c.GetProperty("params").EnumerateArray())
            {
                Tensor t = ReferenceData.ToTensor(p, honourRequiresGrad: false);
                t.RequiresGrad = true;
                Names.Add(p.GetProperty("name").GetString()!);
                Parameters.Add(t);
            }
        }

        public string Name { get; }

        public Dictionary<string, Tensor> Data { get; } = [];

        public List<string> Names { get; } = [];

        public List<Tensor> Parameters { get; } = [];

        public Tensor Loss() => OptimReference.Loss(Name, Data, Names.Zip(Parameters).ToDictionary(x => x.First, x => x.Second));
    }

    private static void RunTrajectory(string id, JsonElement c)
    {
        var problem = new Problem(c);
        List<string> names = problem.Names;
        List<Tensor> parameters = problem.Parameters;

        Optimizer optimizer = OptimReference.BuildOptimizer(c.GetProperty("optimizer"), parameters);
        LrScheduler? scheduler = c.TryGetProperty("scheduler", out JsonElement s) && s.ValueKind == JsonValueKind.Object
            ? OptimReference.BuildScheduler(s, optimizer) : null;
        JsonElement clip = c.TryGetProperty("clip", out JsonElement cl) ? cl : default;
        bool hasClip = clip.ValueKind == JsonValueKind.Object;

        var records = c.GetProperty("trajectory").EnumerateArray().ToList();
        Assert.Equal(c.GetProperty("steps").GetInt32(), records.Count);
        foreach (JsonElement r in records)
        {
            string at = $"{id} step {r.GetProperty("step").GetInt32()}";
            optimizer.ZeroGrad();
            Tensor loss = problem.Loss();
            loss.Backward();
            ReferenceData.AssertClose(r.GetProperty("loss").GetDouble(), loss.Item(), $"{at} loss");
            AssertTensors(r.GetProperty("grads"), names, parameters.Select(p => p.Grad).ToList(), $"{at} grad");

            if (hasClip)
            {
                switch (clip.GetProperty("type").GetString())
                {
                    case "norm":
                        double total = GradClip.ClipGradNorm(parameters, clip.GetProperty("max_norm").GetDouble(), OptimReference.NormType(clip));
                        ReferenceData.AssertClose(r.GetProperty("total_norm").GetDouble(), total, $"{at} total_norm");
                        break;
                    case "value":
                        GradClip.ClipGradValue(parameters, clip.GetProperty("clip_value").GetDouble());
                        break;
                    default:
                        Assert.Fail($"{at}: unknown clip type {clip.GetProperty("type")}");
                        break;
                }
                AssertTensors(r.GetProperty("clipped_grads"), names, parameters.Select(p => p.Grad).ToList(), $"{at} clipped grad");
            }

            ParamGroup group = optimizer.ParamGroups[0];
            ReferenceData.AssertClose(r.GetProperty("lr").GetDouble(), group.Lr, $"{at} lr", ScheduleRtol, ScheduleAtol);
            if (r.TryGetProperty("momentum", out JsonElement m) && m.ValueKind == JsonValueKind.Number)
                ReferenceData.AssertClose(m.GetDouble(), OptimReference.MomentumOf(group), $"{at} momentum", ScheduleRtol, ScheduleAtol);

            optimizer.Step();
            AssertTensors(r.GetProperty("params"), names, parameters, $"{at} param");
            if (r.TryGetProperty("rectified", out JsonElement rectified))
                Assert.True(rectified.GetBoolean() == RAdam.Rectification(group.Beta2, optimizer.StateOf(parameters[0])!.Step) is not null, $"{at} rectified");
            scheduler?.Step();
        }
    }

    // seq README 5.2: loss and grads come from the step's first closure evaluation; evals and iters are exact.
    private static void RunLbfgsTrajectory(string id, JsonElement c)
    {
        var problem = new Problem(c);
        var lbfgs = (Lbfgs)OptimReference.BuildOptimizer(c.GetProperty("optimizer"), problem.Parameters);
        var records = c.GetProperty("trajectory").EnumerateArray().ToList();
        Assert.Equal(c.GetProperty("steps").GetInt32(), records.Count);
        foreach (JsonElement r in records)
        {
            string at = $"{id} step {r.GetProperty("step").GetInt32()}";
            int evals = 0;
            List<Tensor?>? firstGrads = null;
            Tensor returned = lbfgs.Step(() =>
            {
                lbfgs.ZeroGrad();
                Tensor loss = problem.Loss();
                loss.Backward();
                if (evals++ == 0) firstGrads = [.. problem.Parameters.Select(p => p.Grad?.Detach().Clone())];
                return loss;
            });
            ReferenceData.AssertClose(r.GetProperty("loss").GetDouble(), returned.Item(), $"{at} loss");
            AssertTensors(r.GetProperty("grads"), problem.Names, firstGrads!, $"{at} grad");
            ReferenceData.AssertClose(r.GetProperty("lr").GetDouble(), lbfgs.ParamGroups[0].Lr, $"{at} lr", ScheduleRtol, ScheduleAtol);
            Assert.True(r.GetProperty("evals").GetInt32() == evals, $"{at}: expected {r.GetProperty("evals").GetInt32()} closure evaluations, got {evals}");
            Assert.Equal(evals, lbfgs.LastStepEvals);
            Assert.True(r.GetProperty("iters").GetInt32() == lbfgs.LastStepIters, $"{at}: expected {r.GetProperty("iters").GetInt32()} iterations, got {lbfgs.LastStepIters}");
            AssertTensors(r.GetProperty("params"), problem.Names, problem.Parameters, $"{at} param");
        }
    }

    private static void RunSchedule(string id, JsonElement c)
    {
        var parameter = Tensor.Zeros([1], DType.Float64, requiresGrad: true);
        Optimizer optimizer = OptimReference.BuildOptimizer(c.GetProperty("optimizer"), [parameter]);
        JsonElement s = c.GetProperty("scheduler");
        Action<int> step;
        Func<double[]> lastLr;
        if (s.GetProperty("name").GetString() == "ReduceLROnPlateau")
        {
            ReduceLROnPlateau plateau = OptimReference.BuildPlateau(s, optimizer);
            double[] metrics = c.GetProperty("metrics").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            step = t => plateau.Step(metrics[t]);
            lastLr = plateau.LastLr;
        }
        else
        {
            LrScheduler scheduler = OptimReference.BuildScheduler(s, optimizer);
            step = _ => scheduler.Step();
            lastLr = scheduler.LastLr;
        }
        double[] lrs = c.GetProperty("lrs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        double[]? momentums = c.TryGetProperty("momentums", out JsonElement m) && m.ValueKind == JsonValueKind.Array
            ? m.EnumerateArray().Select(e => e.GetDouble()).ToArray() : null;
        int steps = c.GetProperty("steps").GetInt32();
        Assert.Equal(steps, lrs.Length);
        for (int t = 0; t < steps; t++)
        {
            ParamGroup group = optimizer.ParamGroups[0];
            ReferenceData.AssertClose(lrs[t], group.Lr, $"{id} lrs[{t}]", ScheduleRtol, ScheduleAtol);
            Assert.Equal(group.Lr, lastLr()[0]);
            if (momentums is not null)
                ReferenceData.AssertClose(momentums[t], OptimReference.MomentumOf(group), $"{id} momentums[{t}]", ScheduleRtol, ScheduleAtol);
            optimizer.Step();
            step(t);
        }
    }

    private static void AssertTensors(JsonElement expected, List<string> names, IReadOnlyList<Tensor?> actual, string what)
    {
        var list = expected.EnumerateArray().ToList();
        Assert.Equal(names.Count, list.Count);
        for (int k = 0; k < list.Count; k++)
        {
            if (list[k].TryGetProperty("name", out JsonElement n))
                Assert.Equal(names[k], n.GetString());
            ReferenceData.AssertClose(list[k], actual[k], $"{what} {names[k]}");
        }
    }
}
