using System.Text;
using Nabla.Playground;

namespace Nabla.Tests.Fuzz;

/// <summary>
/// The playground's readers of request bytes, in-process, over seeded mutations of valid bodies (Note [Mutation tests]):
/// only <see cref="PlaygroundException"/> (a 4xx with a message) may escape, and each request stays within a memory bound.
/// </summary>
/// <remarks>Each body goes the way the server takes it: <see cref="RequestBody"/>, then the session change and the state it answers with.</remarks>
public sealed class PlaygroundMutationTests
{
    private static readonly Type[] Refused = [typeof(PlaygroundException)];
    private static readonly PlaygroundLimits Limits = new() { MaxPoints = 200, MaxHiddenLayers = 3, MaxNeurons = 6, MaxStepEpochs = 3, MaxUploadBytes = 8192 };

    [Fact]
    public void NetworkBody_Mutations_OnlyPlaygroundExceptionEscapes()
    {
        byte[] valid = """
            {"dataset": "spiral", "points": 120, "noise": 0.2, "trainFraction": 0.6, "hiddenLayers": [4, 3],
             "activation": "relu", "init": "he", "regularization": "l2", "regularizationRate": 0.001, "loss": "mse",
             "optimizer": "momentum", "learningRate": 0.05, "batchSize": 16, "seed": 7}
            """u8.ToArray();
        var (accepted, refused) = Mutations.Run("PUT /network body", valid, body =>
        {
            NetworkConfig config = RequestBody.Network(new NetworkConfig(), RequestBody.Json(body, "application/json"));
            using var session = new PlaygroundSession("fuzz", config, Limits);
            session.Read(s => SessionState.Of(s, includePoints: true));
        }, Refused, count: 2500, seed: 11, maxBytes: 32L << 20);
        Assert.True(accepted > 10 && refused > 1000, $"accepted {accepted}, refused {refused}");
    }

    [Fact]
    public void ChainBody_Mutations_OnlyPlaygroundExceptionEscapesAndValuesStayFinite()
    {
        byte[] valid = """{"expression": "logistic", "w": 10, "x": -10, "y": 2.5, "learningRate": 0.5}"""u8.ToArray();
        var chain = new ChainRule();
        var (accepted, refused) = Mutations.Run("PUT /chain body", valid, body =>
        {
            var (expression, w, x, y, lr) = RequestBody.Chain(RequestBody.Json(body, "application/json"));
            chain.Update(expression, w, x, y, lr);
            ChainState state = ChainState.Of(chain);
            chain.Step();
            Assert.True(double.IsFinite(state.Loss) && double.IsFinite(state.GradW) && double.IsFinite(chain.W),
                $"{chain.Expression} at w={state.W}, x={state.X}, y={state.Y}: L={state.Loss}, dL/dw={state.GradW}, w after step {chain.W}");
        }, Refused, count: 3000, seed: 12, maxBytes: 8L << 20);
        Assert.True(accepted > 10 && refused > 1000, $"accepted {accepted}, refused {refused}");
    }

    [Fact]
    public void StepBody_Mutations_OnlyPlaygroundExceptionEscapes()
    {
        using var session = new PlaygroundSession("fuzz", new NetworkConfig { Points = 40, HiddenLayers = [3] }, Limits);
        var (accepted, refused) = Mutations.Run("POST /network/step body", """{"epochs": 2}"""u8.ToArray(), body =>
        {
            int epochs = RequestBody.Epochs(RequestBody.Json(body, "application/json"));
            session.Change(s =>
            {
                s.Step(epochs);
                return 0;
            });
        }, Refused, count: 2000, seed: 13, maxBytes: 8L << 20);
        Assert.True(accepted > 10 && refused > 500, $"accepted {accepted}, refused {refused}");
    }

    [Fact]
    public void CsvUpload_Mutations_OnlyPlaygroundExceptionEscapes()
    {
        var csv = new StringBuilder("x1,x2,label\n");
        var g = new Generator(5);
        for (int i = 0; i < 24; i++)
            csv.Append(FormattableString.Invariant($"{g.NextNormal():F3},{g.NextNormal():F3},{(i % 3 == 0 ? "red" : "\"blue, dark\"")}\n"));
        csv.Append("0.5,-1e-2,2\n");   // one integer label among names: names are kept as given
        using var session = new PlaygroundSession("fuzz", new NetworkConfig { Points = 40, HiddenLayers = [3] }, Limits);
        var (accepted, refused) = Mutations.Run("uploaded CSV", Encoding.UTF8.GetBytes(csv.ToString()), body => session.Change(s =>
        {
            s.Upload(body);
            return SessionState.Of(s, includePoints: true);
        }), Refused, count: 3000, seed: 14, maxBytes: 16L << 20);
        Assert.True(accepted > 10 && refused > 500, $"accepted {accepted}, refused {refused}");
    }

    [Fact]
    public void ContentType_Mutations_OnlyPlaygroundExceptionEscapes()
    {
        Mutations.Run("Content-Type of a JSON body", "application/json; charset=utf-8"u8.ToArray(),
            bytes => RequestBody.Json("{}"u8.ToArray(), Encoding.UTF8.GetString(bytes)), Refused, count: 2000, seed: 15);
        Mutations.Run("Content-Type of an upload", "text/csv; charset=utf-8"u8.ToArray(),
            bytes => RequestBody.CheckCsvType(Encoding.UTF8.GetString(bytes)), Refused, count: 2000, seed: 16);
    }
}
