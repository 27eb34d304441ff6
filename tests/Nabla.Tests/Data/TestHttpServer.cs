using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Nabla.Tests.Data;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 for download tests: serves registered bodies, and can declare a longer
/// Content-Length than it sends (a truncated transfer). Each connection serves one request and closes.
/// </summary>
internal sealed class TestHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Dictionary<string, (byte[] Body, int Sent)> _routes = new(StringComparer.Ordinal);
    private readonly List<string> _requests = [];
    private readonly Task _loop;

    public TestHttpServer()
    {
        _listener.Start();
        _loop = Task.Run(AcceptLoop);
    }

    public string BaseUrl => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/data";

    /// <summary>The paths requested so far.</summary>
    public IReadOnlyList<string> Requests
    {
        get { lock (_requests) return _requests.ToArray(); }
    }

    /// <summary>Serves <paramref name="body"/> at <c>/data/name</c>; with <paramref name="truncateTo"/>, declares the full length but sends only that many bytes.</summary>
    public void Serve(string name, byte[] body, int? truncateTo = null)
    {
        lock (_routes) _routes["/data/" + name] = (body, truncateTo ?? body.Length);
    }

    private async Task AcceptLoop()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => Handle(client));
        }
    }

    private async Task Handle(TcpClient client)
    {
        using (client)
        {
            try
            {
                NetworkStream stream = client.GetStream();
                string requestLine = await ReadHeaders(stream);
                string path = requestLine.Split(' ').ElementAtOrDefault(1) ?? "";
                lock (_requests) _requests.Add(path);
                (byte[] Body, int Sent) route;
                bool found;
                lock (_routes) found = _routes.TryGetValue(path, out route);
                if (!found)
                {
                    await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
                    return;
                }
                await stream.WriteAsync(Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {route.Body.Length}\r\nConnection: close\r\n\r\n"));
                await stream.WriteAsync(route.Body.AsMemory(0, route.Sent));
                await stream.FlushAsync();
                client.Client.Shutdown(SocketShutdown.Both);
            }
            catch (IOException)
            {
                // The client went away; nothing to do.
            }
        }
    }

    private static async Task<string> ReadHeaders(NetworkStream stream)
    {
        var text = new StringBuilder();
        var buffer = new byte[1];
        while (!text.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(buffer) == 0) break;
            text.Append((char)buffer[0]);
        }
        return text.ToString().Split("\r\n")[0];
    }

    public void Dispose()
    {
        _listener.Stop();
        _loop.Wait();
        _listener.Dispose();
    }
}
