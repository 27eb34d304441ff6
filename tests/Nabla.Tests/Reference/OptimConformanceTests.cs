using System.Text.Json;
using Nabla.Optim;
using Nabla.Tests.Reference;

namespace Nabla.Tests.Reference;

/// <summary>
/// Every case of optim.jsonl: optimizer trajectories run with Nabla's own autograd (loss, gradients, clipping, learning
/// rate, momentum and parameters at every step) and learning-rate schedules, against PyTorch 1.13.
/// </summary>
public class OptimConformanceTests
{
    private const string File = "optim.jsonl";
    private const double ScheduleRtol = 1e-10;
    private const double ScheduleAtol = 1e-14;

    public static TheoryData<string> Cases() => ReferenceData.Ids(File);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case_MatchesPyTorch(string id)
    {
        JsonElement c = ReferenceData.Cases(File)[id];
        switch (c.GetProperty("kind").GetString())
        {
            case "trajectory": RunTrajectory(id, c); break;
            case "schedule": RunSchedule(id, c); break;
            default: Assert.Fail($"{id}: unknown kind '{c.GetProperty("kind")}'"); break;
        }
    }

    [Fact]
    public void Cases_EveryLineHasAUniqueId_AllAreLoaded()
    {
        int lines = System.IO.File.ReadLines(Path.Combine(ReferenceData.Directory, File)).Count(l => !string.IsNullOrWhiteSpace(l));
        Assert.Equal(lines, ReferenceData.Cases(File).Count);
        Assert.True(lines > 0);
    }

    private static void RunTrajectory(string id, JsonElement c)
    {
        JsonElement problem = c.GetProperty("problem");
        var data = new Dictionary<string, Tensor>();
        foreach (JsonElement d in problem.GetProperty("data").EnumerateArray())
            data[d.GetProperty("name").GetString()!] = ReferenceData.ToTensor(d, honourRequiresGrad: false);

        var names = new List<string>();
        var parameters = new List<Tensor>();
        foreach (JsonElement p in c.GetProperty("params").EnumerateArray())
        {
            Tensor t = ReferenceData.ToTensor(p, honourRequiresGrad: false);
            t.RequiresGrad = true;
            names.Add(p.GetProperty("name").GetString()!);
            parameters.Add(t);
        }
        var byName = names.Zip(parameters).ToDictionary(x => x.First, x => x.Second);

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
            Tensor loss = OptimReference.Loss(problem.GetProperty("name").GetString()!, data, byName);
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
            scheduler?.Step();
        }
    }

    private static void RunSchedule(string id, JsonElement c)
    {
        var parameter = Tensor.Zeros([1], DType.Float64, requiresGrad: true);
        Optimizer optimizer = OptimReference.BuildOptimizer(c.GetProperty("optimizer"), [parameter]);
        LrScheduler scheduler = OptimReference.BuildScheduler(c.GetProperty("scheduler"), optimizer);
        double[] lrs = c.GetProperty("lrs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        double[]? momentums = c.TryGetProperty("momentums", out JsonElement m) && m.ValueKind == JsonValueKind.Array
            ? m.EnumerateArray().Select(e => e.GetDouble()).ToArray() : null;
        int steps = c.GetProperty("steps").GetInt32();
        Assert.Equal(steps, lrs.Length);
        for (int t = 0; t < steps; t++)
        {
            ParamGroup group = optimizer.ParamGroups[0];
            ReferenceData.AssertClose(lrs[t], group.Lr, $"{id} lrs[{t}]", ScheduleRtol, ScheduleAtol);
            Assert.Equal(group.Lr, scheduler.LastLr()[0]);
            if (momentums is not null)
                ReferenceData.AssertClose(momentums[t], OptimReference.MomentumOf(group), $"{id} momentums[{t}]", ScheduleRtol, ScheduleAtol);
            optimizer.Step();
            scheduler.Step();
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
