using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Nabla.Playground;

/// <summary>
/// The playground web server (Kestrel): the page at <c>/</c> and the JSON API under <c>/api</c>. See the README's
/// Playground section for the endpoints.
/// </summary>
/// <remarks>
/// Binds <see cref="PlaygroundServerOptions.Host"/> (127.0.0.1 by default) and the given port (0 picks a free one; read
/// <see cref="Address"/>). Every refused request is a 4xx with <c>{"error": "..."}</c>; an unexpected failure is logged
/// to <see cref="PlaygroundServerOptions.ErrorLog"/> and answered 500 with the same shape, and the server keeps serving
/// (Note [Playground error contract]; docs/playground.md).
/// </remarks>
public sealed class PlaygroundServer : IAsyncDisposable
{
    /// <summary>The JSON conventions of the API: camelCase names, NaN and infinities as strings, unknown fields refused.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals | JsonNumberHandling.AllowReadingFromString,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>How often a playing session's state is pushed to the stream (20 a second).</summary>
    public static TimeSpan StreamPeriod { get; } = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan StreamHeartbeat = TimeSpan.FromSeconds(1);

    private readonly WebApplication _app;
    private readonly PlaygroundServerOptions _options;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TextWriter _log;

    private PlaygroundServer(WebApplication app, PlaygroundServerOptions options, SessionStore sessions)
    {
        _app = app;
        _options = options;
        _log = TextWriter.Synchronized(options.ErrorLog ?? Console.Error);
        Sessions = sessions;
    }

    /// <summary>The address the server listens on, e.g. <c>http://127.0.0.1:5185/</c>.</summary>
    public Uri Address { get; private set; } = new("http://127.0.0.1/");

    /// <summary>The live sessions.</summary>
    public SessionStore Sessions { get; }

    /// <summary>Starts a server and returns once it is listening.</summary>
    public static async Task<PlaygroundServer> StartAsync(PlaygroundServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new PlaygroundServerOptions();
        if (!IPAddress.TryParse(options.Host, out IPAddress? ip))
            throw new ArgumentException($"host must be an IP address such as 127.0.0.1, got '{options.Host}'", nameof(options));
        if (options.Port is < 0 or > 65535)
            throw new ArgumentOutOfRangeException(nameof(options), $"port must be from 0 to 65535, got {options.Port}");

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(ip, options.Port);
            k.Limits.MaxRequestBodySize = Math.Max(options.Limits.MaxUploadBytes, options.Limits.MaxJsonBytes) + 1;
            k.AddServerHeader = false;
        });
        var sessions = new SessionStore(options.Limits);
        var app = builder.Build();
        var server = new PlaygroundServer(app, options, sessions);
        server.Map(app);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Address = new Uri(bound.EndsWith('/') ? bound : bound + "/");
        return server;
    }

    /// <summary>Completes when the server is asked to stop (Ctrl+C or <see cref="DisposeAsync"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops the streams, the training and the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        Sessions.Dispose();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private void Map(WebApplication app)
    {
        app.Use(next => ctx => ApiErrors.Guard(ctx, next, _log));
        app.MapGet("/", ctx => Asset(ctx, "index.html", "text/html; charset=utf-8"));
        app.MapGet("/app.js", ctx => Asset(ctx, "app.js", "text/javascript; charset=utf-8"));
        app.MapGet("/app.css", ctx => Asset(ctx, "app.css", "text/css; charset=utf-8"));
        // Browsers ask for /favicon.ico whatever the page links; both names serve the one embedded SVG icon.
        app.MapGet("/favicon.svg", ctx => Asset(ctx, "favicon.svg", "image/svg+xml"));
        app.MapGet("/favicon.ico", ctx => Asset(ctx, "favicon.svg", "image/svg+xml"));

        RouteGroupBuilder api = app.MapGroup("/api");
        api.MapGet("/options", OptionsEndpoint);
        api.MapPost("/sessions", (HttpContext ctx) => Handle(ctx, async () =>
        {
            JsonObject? patch = await ReadJson(ctx).ConfigureAwait(false);
            NetworkConfig config = RequestBody.Network(new NetworkConfig(), patch);
            PlaygroundSession s = Sessions.Create(config);
            ctx.Response.StatusCode = StatusCodes.Status201Created;
            ctx.Response.Headers.Location = $"/api/sessions/{s.Id}";
            return s.Read(x => SessionState.Of(x, includePoints: true));
        }));
        api.MapGet("/sessions/{id}", (HttpContext ctx, string id) => Handle(ctx, () =>
            Task.FromResult<object?>(Sessions.Get(id).Read(x => SessionState.Of(x, includePoints: true)))));
        api.MapDelete("/sessions/{id}", (HttpContext ctx, string id) => Handle(ctx, () =>
        {
            Sessions.Delete(id);
            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.FromResult<object?>(null);
        }));
        api.MapGet("/sessions/{id}/stream", (HttpContext ctx, string id) => Stream(ctx, id));

        api.MapPut("/sessions/{id}/network", (HttpContext ctx, string id) => Change(ctx, id, async (s, _) =>
        {
            JsonObject? patch = await ReadJson(ctx).ConfigureAwait(false);
            NetworkConfig current = s.Read(x => x.Network.Config);
            NetworkConfig config = RequestBody.Network(current, patch);
            return x => x.Configure(config);
        }));
        api.MapPost("/sessions/{id}/network/play", (HttpContext ctx, string id) => Change(ctx, id, (_, _) => Task.FromResult<Action<PlaygroundSession>>(x => x.Play())));
        api.MapPost("/sessions/{id}/network/pause", (HttpContext ctx, string id) => Change(ctx, id, (_, _) => Task.FromResult<Action<PlaygroundSession>>(x => x.Pause())));
        api.MapPost("/sessions/{id}/network/reset", (HttpContext ctx, string id) => Change(ctx, id, (_, _) => Task.FromResult<Action<PlaygroundSession>>(x => x.Reset())));
        api.MapPost("/sessions/{id}/network/step", (HttpContext ctx, string id) => Change(ctx, id, async (_, _) =>
        {
            int epochs = RequestBody.Epochs(await ReadJson(ctx).ConfigureAwait(false));
            return x => x.Step(epochs);
        }));
        api.MapPost("/sessions/{id}/network/upload", (HttpContext ctx, string id) => Change(ctx, id, async (_, _) =>
        {
            RequestBody.CheckCsvType(ctx.Request.ContentType);
            byte[] content = await ReadBody(ctx, _options.Limits.MaxUploadBytes, "the uploaded CSV").ConfigureAwait(false);
            return x => x.Upload(content);
        }));
        api.MapGet("/sessions/{id}/network/export/{format}", (HttpContext ctx, string id, string format) => Export(ctx, id, format));

        api.MapPut("/sessions/{id}/chain", (HttpContext ctx, string id) => Change(ctx, id, async (_, _) =>
        {
            var (expression, w, x, y, lr) = RequestBody.Chain(await ReadJson(ctx).ConfigureAwait(false));
            return s => s.Chain.Update(expression, w, x, y, lr);
        }));
        api.MapPost("/sessions/{id}/chain/step", (HttpContext ctx, string id) => Change(ctx, id, (_, _) => Task.FromResult<Action<PlaygroundSession>>(x => x.Chain.Step())));
        api.MapPost("/sessions/{id}/chain/reset", (HttpContext ctx, string id) => Change(ctx, id, (_, _) => Task.FromResult<Action<PlaygroundSession>>(x =>
            x.Chain.Update(null, x.Chain.WHistory[0], null, null, null))));

        api.MapFallback(NotFound);
    }

    private static Task NotFound(HttpContext ctx) =>
        ApiErrors.Write(ctx, 404, $"no API endpoint {ctx.Request.Method} {ctx.Request.Path}; see the README's Playground section");

    private static Task OptionsEndpoint(HttpContext ctx) => Handle(ctx, () => Task.FromResult<object?>(Options()));

    private static object Options() => new
    {
        Datasets = NetworkConfig.Datasets,
        Activations = NetworkConfig.Activations,
        Inits = NetworkConfig.Inits,
        Regularizations = NetworkConfig.Regularizations,
        Losses = NetworkConfig.Losses,
        Optimizers = NetworkConfig.Optimizers,
        Expressions = ChainRule.Expressions,
        ChainPresets = ChainRule.Presets,
        ChainRange = new[] { ChainRule.MinInput, ChainRule.MaxInput },
        Defaults = new NetworkConfig(),
    };

    private Task Change(HttpContext ctx, string id, Func<PlaygroundSession, CancellationToken, Task<Action<PlaygroundSession>>> prepare) => Handle(ctx, async () =>
    {
        PlaygroundSession s = Sessions.Get(id);
        Action<PlaygroundSession> action = await prepare(s, ctx.RequestAborted).ConfigureAwait(false);
        return s.Change(x =>
        {
            action(x);
            return SessionState.Of(x, includePoints: true);
        });
    });

    // A refused export is a PlaygroundException, answered by ApiErrors.Guard.
    private async Task Export(HttpContext ctx, string id, string format)
    {
        PlaygroundSession s = Sessions.Get(id);
        (byte[] body, string type, string file) = format switch
        {
            "safetensors" => (s.Read(x => ModelExport.SafeTensorsBytes(x.Network)), "application/octet-stream", ModelExport.SafeTensorsFileName),
            "json" => (Encoding.UTF8.GetBytes(s.Read(x => ModelExport.Json(x.Network, JsonOptions))), "application/json; charset=utf-8", "playground-model.json"),
            "csharp" => (Encoding.UTF8.GetBytes(s.Read(x => ModelExport.CSharp(x.Network))), "text/plain; charset=utf-8", "PlaygroundModel.cs"),
            _ => throw new PlaygroundException(404, $"export format must be safetensors, json or csharp; got '{format}'"),
        };
        ctx.Response.ContentType = type;
        ctx.Response.Headers.ContentDisposition = $"attachment; filename=\"{file}\"";
        await ctx.Response.Body.WriteAsync(body, ctx.RequestAborted).ConfigureAwait(false);
    }

    private async Task Stream(HttpContext ctx, string id)
    {
        PlaygroundSession session = Sessions.Get(id);
        ctx.Response.ContentType = "text/event-stream";
        ctx.Response.Headers.CacheControl = "no-cache";
        ctx.Response.Headers["X-Accel-Buffering"] = "no";
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _stopping.Token);
        CancellationToken token = linked.Token;
        long sentVersion = -1, sentData = -1;
        DateTime lastSent = DateTime.MinValue;
        using var timer = new PeriodicTimer(StreamPeriod);
        try
        {
            do
            {
                if (session.Closed)
                {
                    await ctx.Response.WriteAsync("event: closed\ndata: {}\n\n", token).ConfigureAwait(false);
                    return;
                }
                (long version, long data) = session.Read(x => (x.Version, x.DataVersion));
                if (version == sentVersion && DateTime.UtcNow - lastSent < StreamHeartbeat) continue;
                session.Touch();
                SessionState state = session.Read(x => SessionState.Of(x, includePoints: data != sentData));
                sentVersion = state.Version;
                sentData = data;
                lastSent = DateTime.UtcNow;
                string json = JsonSerializer.Serialize(state, JsonOptions);
                await ctx.Response.WriteAsync($"event: state\ndata: {json}\n\n", token).ConfigureAwait(false);
                await ctx.Response.Body.FlushAsync(token).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            // The page went away or the server is stopping.
        }
    }

    // Refusals and failures are answered by ApiErrors.Guard (Note [Playground error contract]).
    private static async Task Handle(HttpContext ctx, Func<Task<object?>> handler)
    {
        object? result;
        try
        {
            result = await handler().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            throw new PlaygroundException(404, "the session was deleted");
        }
        if (result is not null)
        {
            ctx.Response.ContentType = "application/json; charset=utf-8";
            await JsonSerializer.SerializeAsync(ctx.Response.Body, result, result.GetType(), JsonOptions, ctx.RequestAborted).ConfigureAwait(false);
        }
    }

    private static async Task Asset(HttpContext ctx, string name, string contentType)
    {
        using Stream? s = typeof(PlaygroundServer).Assembly.GetManifestResourceStream($"wwwroot/{name}");
        if (s is null) throw new PlaygroundException(404, $"the page asset {name} is not in this build");
        ctx.Response.ContentType = contentType;
        ctx.Response.Headers.CacheControl = "no-store";
        await s.CopyToAsync(ctx.Response.Body, ctx.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<byte[]> ReadBody(HttpContext ctx, int limit, string what)
    {
        if (ctx.Request.ContentLength > limit)
            throw new PlaygroundException(413, $"{what} is {ctx.Request.ContentLength} bytes; the limit is {limit} bytes");
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await ctx.Request.Body.ReadAsync(chunk, ctx.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
                throw new PlaygroundException(413, $"{what} is larger than the limit of {limit} bytes");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private async Task<JsonObject?> ReadJson(HttpContext ctx) =>
        RequestBody.Json(await ReadBody(ctx, _options.Limits.MaxJsonBytes, "the request body").ConfigureAwait(false), ctx.Request.ContentType);
}
