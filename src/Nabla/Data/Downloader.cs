using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Nabla.IO;

namespace Nabla.Data;

/// <summary>Fetches a file over HTTP(S), checks its SHA-256 and writes it atomically; nothing is left behind on failure.</summary>
internal static class Downloader
{
    private static readonly HttpClient Client = new() { Timeout = TimeSpan.FromMinutes(30) };

    // NOTE: a proxy from the environment (HTTP_PROXY) cannot reach this machine's loopback, so local mirrors go direct.
    private static readonly HttpClient LoopbackClient = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromMinutes(30) };

    /// <summary>
    /// Downloads <paramref name="fileName"/> from the first of <paramref name="baseUrls"/> that serves it with the
    /// expected SHA-256, into <paramref name="destination"/>.
    /// </summary>
    /// <exception cref="IOException">Every mirror failed; the message lists each URL and why.</exception>
    public static void Download(IReadOnlyList<string> baseUrls, string fileName, string expectedSha256, string destination)
    {
        var failures = new StringBuilder();
        Exception? last = null;
        foreach (string baseUrl in baseUrls)
        {
            string url = baseUrl.TrimEnd('/') + "/" + fileName;
            if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                failures.Append(CultureInfo.InvariantCulture, $"\n  {url}: not an absolute http or https URL");
                continue;
            }
            try
            {
                AtomicFile.Write(destination, stream => Fetch(url, stream, expectedSha256));
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidDataException or TaskCanceledException)
            {
                failures.Append(CultureInfo.InvariantCulture, $"\n  {url}: {ex.Message}");
                last = ex;
            }
        }
        throw new IOException($"Downloading {fileName} failed; nothing was saved to {destination}. Tried:{failures}", last);
    }

    private static void Fetch(string url, Stream destination, string expectedSha256)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        HttpClient client = request.RequestUri!.IsLoopback ? LoopbackClient : Client;
        using HttpResponseMessage response = client.Send(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"the server answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        long? declared = response.Content.Headers.ContentLength;
        using Stream body = response.Content.ReadAsStream();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long received = 0;
        while (true)
        {
            int n;
            try
            {
                n = body.Read(buffer);
            }
            catch (IOException ex)
            {
                throw new IOException($"the download broke off after {received} bytes{Of(declared)}: {ex.Message}", ex);
            }
            if (n == 0) break;
            hash.AppendData(buffer, 0, n);
            destination.Write(buffer, 0, n);
            received += n;
        }
        if (declared is { } length && received != length)
            throw new IOException($"the download ended after {received} bytes{Of(declared)} (truncated)");
        string actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (!string.Equals(actual, expectedSha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"SHA-256 mismatch: expected {expectedSha256}, got {actual} ({received} bytes); the file was discarded");
    }

    private static string Of(long? declared) => declared is { } d ? $" of {d}" : "";
}
