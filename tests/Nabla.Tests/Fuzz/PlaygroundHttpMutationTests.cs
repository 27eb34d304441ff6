using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Nabla.Playground;
using Nabla.Tests.Playground;

namespace Nabla.Tests.Fuzz;

/// <summary>
/// Mutated request bodies sent to a real playground server on 127.0.0.1 (Note [Mutation tests]): every answer is a
/// success or a 4xx with a JSON <c>{"error": "..."}</c>, never a 5xx, and the server logs no internal error.
/// </summary>
/// <remarks>The in-process <see cref="PlaygroundMutationTests"/> cover the readers in depth; this checks the wiring end to end.</remarks>
public sealed class PlaygroundHttpMutationTests : IAsyncLifetime
{
    private static readonly PlaygroundLimits Limits = new() { MaxSessions = 4, MaxPoints = 200, MaxHiddenLayers = 3, MaxNeurons = 6, MaxStepEpochs = 3, MaxUploadBytes = 4096, MaxJsonBytes = 1024 };
    private PlaygroundHost _host = null!;
    private string _id = "";

    public async Task InitializeAsync()
    {
        _host = await PlaygroundHost.StartAsync(Limits);
        _id = await _host.Create("""{"points": 60}""");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("PUT", "network", """{"dataset": "moons", "points": 80, "hiddenLayers": [3, 2], "activation": "sigmoid", "learningRate": 0.1, "seed": 3}""", "application/json")]
    [InlineData("PUT", "chain", """{"expression": "sigmoid", "w": -10, "x": 10, "y": 10, "learningRate": 10}""", "application/json")]
    [InlineData("POST", "network/step", """{"epochs": 2}""", "application/json")]
    [InlineData("POST", "network/upload", "x1,x2,label\n0.1,0.2,a\n-0.3,0.4,b\n0.5,-0.6,a\n0.7,0.8,b\n-0.9,-1.0,a\n", "text/csv")]
    [InlineData("POST", "", """{"dataset": "xor", "points": 40}""", "application/json")]
    public void Body_Mutations_AreAnsweredWithSuccessOr4xxJson(string method, string path, string valid, string contentType)
    {
        string url = path.Length == 0 ? "api/sessions" : $"api/sessions/{_id}/{path}";
        int refused = 0;
        Mutations.Run($"{method} {url}", System.Text.Encoding.UTF8.GetBytes(valid), body =>
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            var answer = Task.Run(() => _host.Raw(new HttpMethod(method), url, content)).GetAwaiter().GetResult();
            Assert.True((int)answer.Status < 500, $"{(int)answer.Status}: {answer.Body}\n{_host.Log}");
            Assert.Equal("application/json", answer.MediaType);
            if ((int)answer.Status >= 400)
            {
                PlaygroundHost.AssertError(answer);
                refused++;
            }
            else if (path.Length == 0)
            {
                // A created session is deleted again, so the cap of sessions is never the reason for a refusal.
                string id = JsonDocument.Parse(answer.Body).RootElement.GetProperty("id").GetString()!;
                Task.Run(() => _host.Raw(HttpMethod.Delete, $"api/sessions/{id}", null)).GetAwaiter().GetResult();
            }
        }, [], count: 300, seed: 21);
        Assert.True(refused > 100, $"only {refused} of 300 mutations were refused");
        Assert.Equal("", _host.Log.ToString());
    }
}
