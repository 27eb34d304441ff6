namespace Nabla.IO;

/// <summary>
/// Writes a file so that readers see either the old contents or the complete new contents, never a
/// partly written file: the data goes to a temporary file in the same directory, is flushed to disk,
/// and the temporary file is then renamed over the target.
/// </summary>
/// <remarks>
/// If the writer throws, or the process dies mid-write, the target is untouched and the temporary file
/// is removed (or, after a crash, left as a hidden <c>.name.*.tmp</c> file beside the target). The rename
/// is atomic on the same file system, which is why the temporary file lives in the target's directory.
/// Every writer in Nabla (IDX, safetensors, dataset downloads) goes through this helper.
/// </remarks>
public static class AtomicFile
{
    /// <summary>Creates or replaces <paramref name="path"/> with what <paramref name="write"/> writes to the stream it is given.</summary>
    /// <param name="path">The target file. Its directory must exist.</param>
    /// <param name="write">Writes the whole contents; throwing aborts the write and leaves the target as it was.</param>
    /// <exception cref="DirectoryNotFoundException">The directory of <paramref name="path"/> does not exist or is a file.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory cannot be written.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)
            ?? throw new ArgumentException($"{path}: cannot write a file at the root of a file system", nameof(path));
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException(File.Exists(directory)
                ? $"{path}: cannot write: {directory} is a file, not a directory"
                : $"{path}: cannot write: the directory {directory} does not exist");
        }
        if (Directory.Exists(full))
            throw new IOException($"{path}: cannot write: a directory of that name exists");

        string temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        FileStream stream;
        try
        {
            stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new UnauthorizedAccessException($"{path}: cannot write: no permission to create a file in {directory}", ex);
        }
        catch (IOException ex)
        {
            throw new IOException($"{path}: cannot write: creating the temporary file {temp} failed: {ex.Message}", ex);
        }

        bool committed = false;
        try
        {
            using (stream)
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
            committed = true;
        }
        finally
        {
            if (!committed) TryDelete(temp);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // NOTE: the original exception matters more than a leftover temporary file.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
