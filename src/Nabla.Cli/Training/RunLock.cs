using System.Diagnostics;
using System.Globalization;

namespace Nabla.Cli.Training;

// Note [Run directory lock]
// One training run writes a run directory at a time: two runs writing the same --out would leave one run's model next
// to the other's checkpoint. A run creates DIR/run.lock with FileMode.CreateNew (atomic: of two runs exactly one
// creates it), writes its process id and start time, and keeps the file open until it ends; disposing deletes it. A
// run that finds the file reads the holder's process id: if that process is alive (and started when the file says, so
// a reused id does not count) the run refuses, naming the directory and the process. Otherwise the lock is stale (its
// run died without cleaning up) and is taken over: it is deleted only through an exclusive handle, which cannot be
// had while a live run holds the file open, so two runs taking over one stale lock cannot both win.

/// <summary>The lock a training run holds on its output directory. See Note [Run directory lock].</summary>
public sealed class RunLock : IDisposable
{
    /// <summary>The lock file's name inside the run directory.</summary>
    public const string FileName = "run.lock";

    private readonly FileStream _stream;

    private RunLock(FileStream stream, string path)
    {
        _stream = stream;
        Path = path;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>Takes the lock on <paramref name="directory"/> (which must exist), or throws an <see cref="IOException"/> naming the run that holds it.</summary>
    public static RunLock Acquire(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string path = System.IO.Path.Combine(directory, FileName);
        using var self = Process.GetCurrentProcess();
        string content = Describe(self.Id, self.StartTime);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            FileStream? stream = null;
            try
            {
                stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete, 4096, FileOptions.DeleteOnClose);
                stream.Write(System.Text.Encoding.UTF8.GetBytes(content));
                stream.Flush(flushToDisk: true);
                return new RunLock(stream, path);
            }
            catch (IOException) when (File.Exists(path))
            {
                stream?.Dispose();
                string? held = ReadHolder(path);
                if (held is null || Holder(held) is not { } holder || IsAlive(holder.Pid, holder.Started))
                    throw Busy(directory, held is null ? null : Holder(held)?.Pid);
                TryRemoveStale(path, held);
            }
        }
        throw Busy(directory, ReadHolder(path) is { } h ? Holder(h)?.Pid : null);
    }

    /// <summary>Releases the lock and deletes the lock file.</summary>
    public void Dispose() => _stream.Dispose();

    private static string Describe(int pid, DateTime started) =>
        string.Create(CultureInfo.InvariantCulture, $"pid {pid}\nstarted {started.ToUniversalTime():O}\n");

    private static (int Pid, DateTime? Started)? Holder(string content)
    {
        int? pid = null;
        DateTime? started = null;
        foreach (string line in content.Split('\n'))
        {
            if (line.StartsWith("pid ", StringComparison.Ordinal) && int.TryParse(line[4..], NumberStyles.None, CultureInfo.InvariantCulture, out int p)) pid = p;
            if (line.StartsWith("started ", StringComparison.Ordinal) &&
                DateTime.TryParse(line[8..], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out DateTime s)) started = s;
        }
        return pid is { } id ? (id, started) : null;
    }

    /// <summary>The lock file's text, or null while it cannot be read or is still empty (a run is creating it).</summary>
    private static string? ReadHolder(string path)
    {
        try
        {
            using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var r = new StreamReader(s);
            string text = r.ReadToEnd();
            return text.Length == 0 ? null : text;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Whether process <paramref name="pid"/> runs and, when <paramref name="started"/> is known, started then.</summary>
    private static bool IsAlive(int pid, DateTime? started)
    {
        try
        {
            using Process p = Process.GetProcessById(pid);
            if (p.HasExited) return false;
            // A process that started at another time only reuses the id of the one that wrote the lock.
            return started is not { } t || Math.Abs((p.StartTime.ToUniversalTime() - t.ToUniversalTime()).TotalSeconds) < 2;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return true; // cannot tell: assume it runs
        }
    }

    private static void TryRemoveStale(string path, string seen)
    {
        try
        {
            // Exclusive: fails while a live run holds the file open. Delete only the file whose holder was found dead.
            using var s = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Delete);
            using var r = new StreamReader(s, leaveOpen: true);
            if (r.ReadToEnd() == seen) File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Taken by another run meanwhile, or already gone: the next attempt sees which.
        }
    }

    private static IOException Busy(string directory, int? pid) => new(
        $"the run directory '{directory}' is in use by another training run ({(pid is { } p ? $"process {p}" : "a process that is starting")}); " +
        $"wait for it to finish, or pass another --out (if no such run exists, delete {System.IO.Path.Combine(directory, FileName)})");
}
