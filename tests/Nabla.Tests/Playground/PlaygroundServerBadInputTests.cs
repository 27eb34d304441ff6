using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Nabla.Playground;

namespace Nabla.Tests.Playground;

/// <summary>The playground's error contract (docs/playground.md, Note [Playground error contract]) over HTTP and in-process.</summary>
public sealed class PlaygroundServerBadInputTests : IAsyncLifetime
{
    private static readonly PlaygroundLimits Limits = new() { MaxSessions = 8, MaxUploadBytes = 4096, MaxJsonBytes = 2048, MaxPoints = 600 };
    private PlaygroundHost _host = null!;

    public async Task InitializeAsync() => _host = await PlaygroundHost.StartAsync(Limits);

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Assert.Equal("", _host.Log.ToString());   // nothing here is an internal error
    }

    private Task<(HttpStatusCode Status, string Body, string? MediaType)> Put(string path, string body) =>
        _host.Raw(HttpMethod.Put, path, new StringContent(body, Encoding.UTF8, "application/json"));

    private async Task<string> Refused(HttpMethod method, string path, string body, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        var answer = await _host.Raw(method, path, new StringContent(body, Encoding.UTF8, "application/json"));
        return PlaygroundHost.AssertError(answer, status);
    }

    [Fact]
    public async Task DuplicateKey_EveryJsonEndpoint_Is400NamingTheField()
    {
        string id = await _host.Create();
        Assert.Contains("field 'dataset' is given twice", await Refused(HttpMethod.Post, "api/sessions", """{"dataset":"xor","dataset":"circle"}"""));
        Assert.Contains("field 'dataset' is given twice", await Refused(HttpMethod.Put, $"api/sessions/{id}/network", """{"dataset":"xor","dataset":"circle"}"""));
        Assert.Contains("field 'w' is given twice", await Refused(HttpMethod.Put, $"api/sessions/{id}/chain", """{"w": 1, "w": 2}"""));
        Assert.Contains("field 'epochs' is given twice", await Refused(HttpMethod.Post, $"api/sessions/{id}/network/step", """{"epochs": 1,"epochs": 2}"""));
        Assert.Contains("field 'a' is given twice", await Refused(HttpMethod.Put, $"api/sessions/{id}/network", "{\"x\": {\"a\": 1,\n\"\\u0061\": 2}}"));
        // Names match case-insensitively, so these are one field given twice, too.
        Assert.Contains("field 'dataset' is given twice (as 'Dataset' and 'dataset')", await Refused(HttpMethod.Put, $"api/sessions/{id}/network", """{"Dataset":"xor","dataset":"circle"}"""));
        JsonElement s = await _host.Send(HttpMethod.Get, $"api/sessions/{id}");
        Assert.Equal("circle", s.GetProperty("network").GetProperty("config").GetProperty("dataset").GetString());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("text/csv")]
    [InlineData("application/json; charset=utf-16")]
    [InlineData("not a media type")]
    public async Task WrongContentType_JsonEndpoint_Is415(string contentType)
    {
        string id = await _host.Create();
        using var content = new ByteArrayContent("""{"w": 1}"""u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        string message = PlaygroundHost.AssertError(await _host.Raw(HttpMethod.Put, $"api/sessions/{id}/chain", content), HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("Content-Type", message);
        Assert.Contains(contentType, message);
        Assert.Equal(2.0, (await _host.Send(HttpMethod.Get, $"api/sessions/{id}")).GetProperty("chain").GetProperty("w").GetDouble());
    }

    [Fact]
    public async Task JsonContentTypes_AreAccepted()
    {
        string id = await _host.Create();
        foreach (string type in new[] { "application/json", "application/json; charset=UTF-8", "application/merge-patch+json" })
        {
            using var content = new ByteArrayContent("""{"w": -1}"""u8.ToArray());
            content.Headers.TryAddWithoutValidation("Content-Type", type);
            Assert.Equal(HttpStatusCode.OK, (await _host.Raw(HttpMethod.Put, $"api/sessions/{id}/chain", content)).Status);
        }
    }

    [Theory]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("application/json")]
    [InlineData("text/csv; charset=latin1")]
    public async Task WrongContentType_Upload_Is415(string contentType)
    {
        string id = await _host.Create();
        using var content = new ByteArrayContent("x1,x2,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n"u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        string message = PlaygroundHost.AssertError(await _host.Raw(HttpMethod.Post, $"api/sessions/{id}/network/upload", content), HttpStatusCode.UnsupportedMediaType);
        Assert.Contains(contentType, message);
    }

    [Theory]
    [InlineData("PUT", "network", """{"points": 1e400}""", "points has the wrong type or is out of range")]
    [InlineData("PUT", "network", """{"points": 99999999999}""", "points has the wrong type or is out of range")]
    [InlineData("PUT", "network", """{"seed": -1}""", "seed has the wrong type or is out of range; expected a whole number from 0 to 18446744073709551615")]
    [InlineData("PUT", "network", """{"seed": 18446744073709551616}""", "seed has the wrong type")]
    [InlineData("PUT", "network", """{"hiddenLayers": [1e10]}""", "hiddenLayers has the wrong type")]
    [InlineData("PUT", "network", """{"learningRate": 1e309}""", "learningRate must be a positive number up to 10, got Infinity")]
    [InlineData("PUT", "network", """{"noise": -1e308}""", "noise must be from 0 to 1")]
    [InlineData("PUT", "network", """{"dataset": 5}""", "dataset has the wrong type")]
    [InlineData("PUT", "network", """{"dataset": null}""", "dataset must be one of")]
    [InlineData("PUT", "network", """{"hiddenLayers": null}""", "hiddenLayers must be a list")]
    [InlineData("PUT", "network", """{"dataset": "\ud800"}""", "not valid text at byte 13")]
    [InlineData("PUT", "network", """{"\udc00": 1}""", "not valid text at byte 2")]
    [InlineData("PUT", "network", """{"points": 10""", "not valid JSON")]
    [InlineData("PUT", "network", """{"points": 10} {}""", "not valid JSON")]
    [InlineData("PUT", "network", "\"xor\"", "must be a JSON object")]
    [InlineData("PUT", "chain", """{"w": 1e400}""", "w must be from -10 to 10, got Infinity")]
    [InlineData("PUT", "chain", """{"x": -1e400}""", "x must be from -10 to 10, got -Infinity")]
    [InlineData("PUT", "chain", """{"y": "NaN"}""", "y must be from -10 to 10, got NaN")]
    [InlineData("PUT", "chain", """{"w": "abc"}""", "w has the wrong type")]
    [InlineData("PUT", "chain", """{"w": true}""", "w has the wrong type")]
    [InlineData("PUT", "chain", """{"expression": 5}""", "expression has the wrong type")]
    [InlineData("PUT", "chain", """{"expression": "\udfff"}""", "not valid text")]
    [InlineData("PUT", "chain", """{"learningRate": 0}""", "learningRate must be a positive number up to 10, got 0")]
    [InlineData("POST", "network/step", """{"epochs": 99999999999}""", "epochs has the wrong type or is out of range")]
    [InlineData("POST", "network/step", """{"epochs": 1.5}""", "epochs has the wrong type")]
    [InlineData("POST", "network/step", """{"epoch": 2}""", "unknown field 'epoch'; the fields are epochs")]
    public async Task BadBody_Is400WithTheReason(string method, string endpoint, string body, string reason)
    {
        string id = await _host.Create();
        Assert.Contains(reason, await Refused(new HttpMethod(method), $"api/sessions/{id}/{endpoint}", body));
    }

    [Fact]
    public async Task InvalidUtf8InAString_Is400()
    {
        string id = await _host.Create();
        using var content = new ByteArrayContent([.. "{\"dataset\": \"x"u8, 0xC3, .. "\"}"u8]);
        content.Headers.ContentType = new("application/json");
        string message = PlaygroundHost.AssertError(await _host.Raw(HttpMethod.Put, $"api/sessions/{id}/network", content), HttpStatusCode.BadRequest);
        Assert.Contains("not valid text at byte 13 (bytes that are not UTF-8", message);
    }

    [Fact]
    public async Task OversizedBody_WithAndWithoutLength_Is413WithJson()
    {
        string id = await _host.Create();
        string big = "{\"dataset\": \"" + new string('a', Limits.MaxJsonBytes) + "\"}";
        Assert.Contains("the limit is 2048 bytes", PlaygroundHost.AssertError(await Put($"api/sessions/{id}/network", big), HttpStatusCode.RequestEntityTooLarge));
        // Chunked: no Content-Length, so the server counts while it reads.
        using var chunked = new ChunkedContent(Encoding.UTF8.GetBytes(big));
        var answer = await _host.Raw(HttpMethod.Put, $"api/sessions/{id}/network", chunked);
        Assert.Contains("larger than the limit of 2048 bytes", PlaygroundHost.AssertError(answer, HttpStatusCode.RequestEntityTooLarge));
    }

    [Theory]
    [InlineData("9223372036854775807")]
    [InlineData("8")]
    [InlineData("-1")]
    public async Task Upload_ClassOutOfRange_NamesTheValueAndTheAllowedRange(string label)
    {
        string id = await _host.Create();
        using var content = new StringContent($"x1,x2,label\n1,2,0\n3,4,{label}\n5,6,0\n7,8,1\n", Encoding.UTF8, "text/csv");
        string message = PlaygroundHost.AssertError(await _host.Raw(HttpMethod.Post, $"api/sessions/{id}/network/upload", content), HttpStatusCode.BadRequest);
        Assert.Contains($"line 3, column \"label\" (index 2): label {label} is out of range", message);
        Assert.Contains("from 0 to 7", message);
    }

    [Fact]
    public async Task NoEndpointOrWrongMethod_Is4xxWithJson()
    {
        string id = await _host.Create();
        Assert.Contains("GET /nothing: 404 Not Found", PlaygroundHost.AssertError(await _host.Raw(HttpMethod.Get, "nothing", null), HttpStatusCode.NotFound));
        Assert.Contains("POST /: 405 Method Not Allowed", PlaygroundHost.AssertError(await _host.Raw(HttpMethod.Post, "", null), HttpStatusCode.MethodNotAllowed));
        Assert.Contains("no API endpoint DELETE /api/options", PlaygroundHost.AssertError(await _host.Raw(HttpMethod.Delete, "api/options", null), HttpStatusCode.NotFound));
        Assert.Contains($"no API endpoint PATCH /api/sessions/{id}/chain", PlaygroundHost.AssertError(await _host.Raw(HttpMethod.Patch, $"api/sessions/{id}/chain", null), HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task Favicon_IsServedAsTheEmbeddedSvg()
    {
        foreach (string path in new[] { "favicon.ico", "favicon.svg" })
        {
            var (status, body, type) = await _host.Raw(HttpMethod.Get, path, null);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("image/svg+xml", type);
            Assert.StartsWith("<svg", body);
        }
    }

    [Fact]
    public async Task Options_ListThePresetsAndTheInputRange()
    {
        JsonElement o = await _host.Send(HttpMethod.Get, "api/options");
        Assert.Equal([-10.0, 10.0], o.GetProperty("chainRange").EnumerateArray().Select(e => e.GetDouble()).ToArray());
        JsonElement first = o.GetProperty("chainPresets")[0];
        Assert.Equal(("squared", 2.0, 3.0, 10.0), (first.GetProperty("expression").GetString(), first.GetProperty("w").GetDouble(), first.GetProperty("x").GetDouble(), first.GetProperty("y").GetDouble()));
    }

    [Fact]
    public async Task Guard_UnexpectedException_IsLoggedAndAnswered500WithJson()
    {
        var log = new StringWriter();
        var ctx = new DefaultHttpContext();
        ctx.Request.Method = "PUT";
        ctx.Request.Path = "/api/sessions/abc/chain";
        ctx.Response.Body = new MemoryStream();
        await ApiErrors.Guard(ctx, _ => throw new InvalidOperationException("boom"), log);
        Assert.Equal(500, ctx.Response.StatusCode);
        Assert.StartsWith("application/json", ctx.Response.ContentType);
        string error = JsonDocument.Parse(((MemoryStream)ctx.Response.Body).ToArray()).RootElement.GetProperty("error").GetString()!;
        Assert.Contains("internal error", error);
        Assert.Contains("InvalidOperationException: boom", error);
        Assert.Contains("PUT /api/sessions/abc/chain", log.ToString());
        Assert.Contains("at Nabla.Tests", log.ToString());   // the stack trace is logged
        string id = error.Split(' ')[2];
        Assert.Contains($"internal error {id}", log.ToString());
    }

    [Fact]
    public async Task Guard_Refusal_IsAnsweredWithItsStatusAndNotLogged()
    {
        var log = new StringWriter();
        var ctx = new DefaultHttpContext();
        ctx.Response.Body = new MemoryStream();
        await ApiErrors.Guard(ctx, _ => throw new PlaygroundException(429, "too many"), log);
        Assert.Equal(429, ctx.Response.StatusCode);
        Assert.Equal("too many", JsonDocument.Parse(((MemoryStream)ctx.Response.Body).ToArray()).RootElement.GetProperty("error").GetString());
        Assert.Equal("", log.ToString());
    }

    /// <summary>A body sent without a Content-Length (chunked).</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly byte[] _data;

        public ChunkedContent(byte[] data)
        {
            _data = data;
            Headers.ContentType = new("application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(_data).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
