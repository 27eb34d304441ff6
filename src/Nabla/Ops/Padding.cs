using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla
{
    public static partial class Functional
    {
        /// <summary>Pads (or, with negative pads, crops) the trailing dimensions of <paramref name="input"/>, like <c>torch.nn.functional.pad</c>.</summary>
        /// <remarks>
        /// <para><paramref name="pad"/> lists (before, after) pairs starting from the <b>last</b> dimension:
        /// <c>[last_before, last_after, second_last_before, second_last_after, ...]</c>; <c>pad.Length / 2</c> trailing
        /// dimensions are padded, and dimension <c>d</c> grows to <c>size + before + after</c>.</para>
        /// <para><see cref="PaddingMode.Constant"/> fills with <paramref name="value"/> (0 when null) and works for any rank;
        /// a negative entry crops that many elements on that side. <see cref="PaddingMode.Reflect"/> mirrors without
        /// repeating the edge (<c>c b | a b c d | c b</c>) and needs every pad smaller than its dimension;
        /// <see cref="PaddingMode.Replicate"/> repeats the edge element (<c>a a | a b c d | d d</c>), any pad size. Both take
        /// no value; PyTorch uses them on <c>[N, C, W]</c> with 2 entries and <c>[N, C, H, W]</c> with 4 (left, right, top,
        /// bottom), and here they pad any number of trailing dimensions.</para>
        /// <para>The gradient of a padded element goes back to the element it copies (reflected and replicated copies
        /// accumulate); constant-filled elements have no source.</para>
        /// </remarks>
        /// <param name="input">The tensor to pad.</param>
        /// <param name="pad">(before, after) pairs from the last dimension backwards.</param>
        /// <param name="mode">How to fill the border.</param>
        /// <param name="value">The fill value of constant padding (0 when null); the other modes take none.</param>
        public static Tensor Pad(Tensor input, int[] pad, PaddingMode mode = PaddingMode.Constant, double? value = null)
        {
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(pad);
            if (pad.Length % 2 != 0)
                throw new ArgumentException($"pad: expected (before, after) pairs, but the padding {Shape.Format(pad)} has {pad.Length} entries, an odd number", nameof(pad));
            int pairs = pad.Length / 2, rank = input.Rank;
            if (pairs > rank)
                throw new ArgumentException(
                    $"pad: the padding {Shape.Format(pad)} has {pairs} (before, after) pairs, but the input of shape {input.Shape} has only {rank} dimensions", nameof(pad));
            if (!Enum.IsDefined(mode)) throw new ArgumentException($"pad: unknown mode {mode}; expected Constant, Reflect or Replicate", nameof(mode));
            string name = mode.ToString().ToLowerInvariant();
            if (mode != PaddingMode.Constant)
            {
                if (value is { } v)
                    throw new ArgumentException($"pad: {name} padding takes no value (got {v}); only constant padding fills with one", nameof(value));
                if (pairs == 0) throw new ArgumentException($"pad: {name} padding needs at least one (before, after) pair, got none", nameof(pad));
            }
            double fill = value ?? 0;
            input.CheckFillValue(fill, "pad");
            var outDims = input.Dims.Select(d => (long)d).ToArray();
            var maps = new int[]?[rank];
            for (int j = 0; j < pairs; j++)
            {
                int d = rank - 1 - j, before = pad[2 * j], after = pad[2 * j + 1], n = input.Dims[d];
                long size = (long)n + before + after;
                if (size < 0)
                    throw new ArgumentException(
                        $"pad: padding ({before}, {after}) of dimension {d}, of size {n}, would leave size {size} (input shape {input.Shape}); negative pads crop at most the whole dimension",
                        nameof(pad));
                if (mode == PaddingMode.Reflect && (before >= n || after >= n))
                    throw new ArgumentException(
                        $"pad: reflect padding ({before}, {after}) of dimension {d} needs each pad smaller than its size {n} (input shape {input.Shape}); use replicate or constant padding for wider borders",
                        nameof(pad));
                if (mode == PaddingMode.Replicate && n == 0 && size > 0)
                    throw new ArgumentException($"pad: replicate padding of dimension {d} needs an element to repeat, but it is empty (input shape {input.Shape})", nameof(pad));
                outDims[d] = size;
            }
            var y = Tensor.Empty(input.DType, Tensor.ResultDims(outDims, "pad"));
            for (int j = 0; j < pairs; j++)
                if (pad[2 * j] != 0 || pad[2 * j + 1] != 0) maps[rank - 1 - j] = SourceMap(mode, input.Dims[rank - 1 - j], pad[2 * j], y.Dims[rank - 1 - j]);
            if (rank == 0) Tensor.MoveRaw(input, input.Offset, [], y, y.Offset, [], []);
            else
            {
                int[] s = input.StrideArray;
                int last = input.Dims[^1], before = pairs > 0 ? pad[0] : 0;
                switch (input.DType)
                {
                    case DType.Float32: Blocks.Pad(input.Data<float>(), input.Offset, s, last, before, maps, y.Dims, y.Data<float>(), y.Offset, (float)fill); break;
                    case DType.Float64: Blocks.Pad(input.Data<double>(), input.Offset, s, last, before, maps, y.Dims, y.Data<double>(), y.Offset, fill); break;
                    case DType.Int64: Blocks.Pad(input.Data<long>(), input.Offset, s, last, before, maps, y.Dims, y.Data<long>(), y.Offset, (long)fill); break;
                    case DType.Bool: Blocks.Pad(input.Data<bool>(), input.Offset, s, last, before, maps, y.Dims, y.Data<bool>(), y.Offset, fill != 0); break;
                    case DType.BFloat16: Blocks.Pad(input.Data<BFloat16>(), input.Offset, s, last, before, maps, y.Dims, y.Data<BFloat16>(), y.Offset, (BFloat16)fill); break;
                    case DType.Float16: Blocks.Pad(input.Data<Half>(), input.Offset, s, last, before, maps, y.Dims, y.Data<Half>(), y.Offset, (Half)fill); break;
                    default: throw DTypeExtensions.Unknown(input.DType);
                }
            }
            if (Autograd.ShouldRecord(input))
                y.SetGradFn(mode == PaddingMode.Constant
                    ? new Ops.ConstantPadNdBackward(input, [.. pad])
                    : new Ops.CopyPadBackward($"{(mode == PaddingMode.Reflect ? "Reflection" : "Replication")}Pad{pairs}DBackward", input, maps));
            return y;
        }

        /// <summary>For every output position along one dimension, the source position it copies, or -1 for a constant.</summary>
        private static int[] SourceMap(PaddingMode mode, int n, int before, int size)
        {
            var map = new int[size];
            for (int o = 0; o < size; o++)
            {
                long i = (long)o - before;
                map[o] = (int)(mode switch
                {
                    PaddingMode.Constant => i >= 0 && i < n ? i : -1,
                    PaddingMode.Reflect => i < 0 ? -i : i >= n ? 2L * (n - 1) - i : i,
                    _ => Math.Clamp(i, 0, n - 1),
                });
            }
            return map;
        }
    }
}

namespace Nabla.Ops
{
    // constant padding copies each kept element once: its gradient crops what was padded and pads what was cropped (with 0)
    internal sealed class ConstantPadNdBackward(Tensor x, int[] pad) : Node(x)
    {
        public override Tensor?[] Backward(Tensor g) => [Functional.Pad(g, [.. pad.Select(p => -p)])];
    }

    // reflect/replicate: each output element copies one source element, so its gradient is added back there (index_add
    // along every padded dimension: reflected and replicated copies accumulate)
    internal sealed class CopyPadBackward : Node
    {
        private readonly int[] _dims;
        private readonly Tensor?[] _maps;

        public CopyPadBackward(string name, Tensor x, int[]?[] maps) : base(name, x)
        {
            _dims = x.Dims;
            _maps = [.. maps.Select(m => m is null ? null : Tensor.From(m.Select(v => (long)v).ToArray()))];
        }

        public override Tensor?[] Backward(Tensor g)
        {
            for (int d = 0; d < _maps.Length; d++)
            {
                if (_maps[d] is not { } map) continue;
                var dims = (int[])g.Dims.Clone();
                dims[d] = _dims[d];
                g = Tensor.Zeros(dims, g.DType).IndexAdd(d, map, g);
            }
            return [g];
        }
    }
}
