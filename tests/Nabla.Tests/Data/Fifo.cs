using System.Runtime.InteropServices;

namespace Nabla.Tests.Data;

/// <summary>Named pipes for tests of readers given a non-regular file (Linux only, like the rest of the suite's environment).</summary>
internal static partial class Fifo
{
    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MakeFifo(string path, uint mode);

    /// <summary>
    /// Creates a FIFO at <paramref name="path"/> and starts a background thread that opens it for writing (which waits
    /// for a reader) and runs <paramref name="write"/>; a reader that closes early ends the writer with an IOException,
    /// which is ignored.
    /// </summary>
    public static void CreateAndFeed(string path, Action<Stream> write)
    {
        if (MakeFifo(path, 0x180) != 0) throw new IOException($"mkfifo {path} failed: errno {Marshal.GetLastPInvokeError()}");
        var writer = new Thread(() =>
        {
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
                write(stream);
            }
            catch (IOException)
            {
            }
        }) { IsBackground = true };
        writer.Start();
    }
}
