using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Nabla.Playground;

/// <summary>How the server answers a request it cannot serve: always JSON <c>{"error": "..."}</c>, never an empty body.</summary>
/// <remarks>
/// Note [Playground error contract]
/// A refused request (a <see cref="PlaygroundException"/>) is answered with its 4xx status and message, and so is a
/// path or a method that no endpoint serves. Anything else a
/// handler lets escape is a bug: <see cref="Guard"/>, the outermost middleware, writes it with its stack trace to the
/// error log under a short id and answers 500 with a message that quotes the id, so the page shows words and the
/// server keeps serving. A client that went away is neither logged nor answered.
/// </remarks>
internal static class ApiErrors
{
    /// <summary>Runs the rest of the pipeline and answers any exception that escapes it (Note [Playground error contract]).</summary>
    public static async Task Guard(HttpContext ctx, RequestDelegate next, TextWriter log)
    {
        try
        {
            await next(ctx).ConfigureAwait(false);
            // Routing answers a path no endpoint serves (404) or a method an endpoint does not take (405) without a body.
            int status = ctx.Response.StatusCode;
            if (status >= 400 && !ctx.Response.HasStarted && !HttpMethods.IsHead(ctx.Request.Method))
                await Write(ctx, status, $"{ctx.Request.Method} {ctx.Request.Path}: {status} {ReasonPhrases.GetReasonPhrase(status)}; see the README's Playground section for the endpoints").ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && ctx.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (PlaygroundException e)
        {
            await Write(ctx, e.StatusCode, e.Message).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel could not read the request (a body cut short or beyond its size limit).
            await Write(ctx, e.StatusCode, $"the request could not be read: {e.Message}").ConfigureAwait(false);
        }
        catch (Exception e)
        {
            string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
            string request = $"{ctx.Request.Method} {ctx.Request.Path}";
            log.WriteLine($"playground: internal error {id} in {request}: {e}");
            log.Flush();
            await Write(ctx, 500, $"internal error {id} in {request} ({e.GetType().Name}: {e.Message}); the server logged it and keeps serving; please report it").ConfigureAwait(false);
        }
    }

    /// <summary>Answers <paramref name="status"/> with <c>{"error": message}</c>, unless the response has already started.</summary>
    public static async Task Write(HttpContext ctx, int status, string message)
    {
        if (ctx.Response.HasStarted) return;
        ctx.Response.Clear();
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        try
        {
            await JsonSerializer.SerializeAsync(ctx.Response.Body, new { error = message }, PlaygroundServer.JsonOptions, ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
    }
}
