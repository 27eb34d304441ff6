namespace Nabla.Data;

/// <summary>Unsigned-byte images read from an IDX file: <see cref="Count"/> images of <see cref="Rows"/> x <see cref="Columns"/> pixels.</summary>
/// <param name="Count">The number of images.</param>
/// <param name="Rows">The height of each image.</param>
/// <param name="Columns">The width of each image.</param>
/// <param name="Pixels">All pixels, image after image, row-major within an image (<c>Count * Rows * Columns</c> bytes).</param>
public sealed record IdxImages(int Count, int Rows, int Columns, ReadOnlyMemory<byte> Pixels);
