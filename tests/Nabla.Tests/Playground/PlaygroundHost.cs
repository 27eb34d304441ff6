using System.Net;
using System.Text;
using System.Text.Json;
using Nabla.Playground;

namespace Nabla.Tests.Playground;

/// <summary>A playground server on 127.0.0.1 (a free port) with its own error log, and a client for its JSON API.</summary>
internal sealed class PlaygroundHost : IAsyncDisposable
{
    private PlaygroundHost(PlaygroundServer server, StringWriter log)
    {
        Server = server;
        Log = log;
        Http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(15) };
    }

    public PlaygroundServer Server { get; }

    public HttpClient Http { get; }

    /// <summary>What the server wrote to its error log (unexpected failures).</summary>
    public StringWriter Log { get; }

    public static async Task<PlaygroundHost> StartAsync(PlaygroundLimits limits)
    {
        var log = new StringWriter();
        PlaygroundServer server = await PlaygroundServer.StartAsync(new PlaygroundServerOptions { Port = 0, Limits = limits, ErrorLog = log });
        return new PlaygroundHost(server, log);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }

    /// <summary>Sends a request and returns the status, the body and its media type.</summary>
    public async Task<(HttpStatusCode Status, string Body, string? MediaType)> Raw(HttpMethod method, string path, HttpContent? content)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using HttpResponseMessage response = await Http.SendAsync(request).ConfigureAwait(false);
        string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        return (response.StatusCode, body, response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>Sends JSON (<c>application/json</c>) and asserts the status; returns the parsed answer (default when empty).</summary>
    public async Task<JsonElement> Send(HttpMethod method, string path, string? json = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var (status, body, _) = await Raw(method, path, json is null ? null : new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.True(expected == status, $"{method} {path}: expected {(int)expected}, got {(int)status}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Creates a session and returns its id.</summary>
    public async Task<string> Create(string json = "{}")
    {
        JsonElement s = await Send(HttpMethod.Post, "api/sessions", json, HttpStatusCode.Created);
        return s.GetProperty("id").GetString()!;
    }

    /// <summary>Asserts the error contract: a 4xx (or the given status) with a JSON <c>{"error": "..."}</c>; returns the message.</summary>
    public static string AssertError((HttpStatusCode Status, string Body, string? MediaType) answer, HttpStatusCode? expected = null)
    {
        int code = (int)answer.Status;
        Assert.True(expected is null ? code is >= 400 and < 500 : answer.Status == expected, $"status {code}: {answer.Body}");
        Assert.Equal("application/json", answer.MediaType);
        string? message = JsonDocument.Parse(answer.Body).RootElement.GetProperty("error").GetString();
        Assert.False(string.IsNullOrWhiteSpace(message));
        return message;
    }
}
