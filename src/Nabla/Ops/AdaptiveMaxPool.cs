using System.Numerics;
using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla
{
    public static partial class Functional
    {
        /// <summary>2-D adaptive max pooling to a fixed output size, like <c>torch.nn.functional.adaptive_max_pool2d</c>.</summary>
        /// <remarks>
        /// Output cell <c>(i, j)</c> is the maximum of input rows <c>floor(i*H/OH) .. ceil((i+1)*H/OH) - 1</c> and the same range of columns; bins
        /// may overlap and <c>OH &gt; H</c> is allowed. The gradient goes to the maximum of each bin (the first one on ties; a NaN wins) and
        /// accumulates over overlapping bins. <see cref="AdaptiveMaxPool2dWithIndices"/> also returns where each maximum is.
        /// </remarks>
        /// <param name="input">The images, <c>[N, C, H, W]</c> (or <c>[C, H, W]</c>), with H and W non-zero.</param>
        /// <param name="outputSize"><c>[OH, OW]</c> (or one value for both), positive.</param>
        public static Tensor AdaptiveMaxPool2d(Tensor input, int[] outputSize) => AdaptiveMaxPool2dWithIndices(input, outputSize).Output;

        /// <summary>
        /// <see cref="AdaptiveMaxPool2d"/> and, for every output cell, the flat index <c>h*W + w</c> of its maximum within its plane (int64, the
        /// output's shape), like <c>torch.nn.functional.adaptive_max_pool2d(..., return_indices=True)</c>.
        /// </summary>
        /// <param name="input">The images, <c>[N, C, H, W]</c> (or <c>[C, H, W]</c>), with H and W non-zero.</param>
        /// <param name="outputSize"><c>[OH, OW]</c> (or one value for both), positive.</param>
        public static (Tensor Output, Tensor Indices) AdaptiveMaxPool2dWithIndices(Tensor input, int[] outputSize)
        {
            const string op = "adaptive_max_pool2d";
            CheckPoolInput(op, input);
            if (input.DType.IsHalf()) // See Note [Half compute]
            {
                var (wide, at) = AdaptiveMaxPool2dWithIndices(input.To(DType.Float32), outputSize);
                return (wide.To(input.DType), at);
            }
            ArgumentNullException.ThrowIfNull(outputSize);
            int[] size = WindowParam(op, "output_size", outputSize.Length == 1 ? [outputSize[0], outputSize[0]] : outputSize, 2, 1);
            bool batched = input.Rank == 4;
            Tensor x = batched ? input : input.Unsqueeze(0);
            int n = x.Dims[0], c = x.Dims[1], h = x.Dims[2], w = x.Dims[3], oh = size[0], ow = size[1];
            if (h == 0 || w == 0)
                throw new ArgumentException($"{op}: expected an input with non-empty spatial dimensions, got shape {input.Shape}", nameof(input));
            var y = Tensor.Empty(x.DType, [n, c, oh, ow]);
            var indices = Tensor.Empty(DType.Int64, [n, c, oh, ow]);
            Tensor src = x.ContiguousData();
            if (x.DType == DType.Float32) AdaptiveMaxTyped<float>(src, y, indices);
            else AdaptiveMaxTyped<double>(src, y, indices);
            if (Autograd.ShouldRecord(x)) y.SetGradFn(new Ops.AdaptiveMaxPool2DBackward(x, indices));
            return batched ? (y, indices) : (y.Squeeze(0), indices.Squeeze(0));
        }

        private static void AdaptiveMaxTyped<T>(Tensor src, Tensor y, Tensor indices) where T : struct, IFloatingPointIeee754<T>
        {
            T[] s = src.Data<T>(), d = y.Data<T>();
            long[] ix = indices.Data<long>();
            int so = src.Offset, h = src.Dims[2], w = src.Dims[3], oh = y.Dims[2], ow = y.Dims[3], plane = h * w, outPlane = oh * ow;
            // Each input element is read by about (OH/H + 1)(OW/W + 1) bins.
            long work = (long)(oh + h) * (ow + w);
            ForPlanes(y.Dims[0] * y.Dims[1], outPlane, work,
                i => AdaptivePool.MaxForward<T>(s.AsSpan(so + i * plane, plane), h, w, oh, ow, d.AsSpan(i * outPlane, outPlane), ix.AsSpan(i * outPlane, outPlane)));
        }
    }
}

namespace Nabla.Ops
{
    // adaptive max pooling picks one element per bin: its gradient is added back at that element (overlapping bins
    // accumulate), a scatter-add into zeros, whose own gradient is the gather at the same indices (so it is
    // differentiable again under createGraph).
    internal sealed class AdaptiveMaxPool2DBackward : Node
    {
        private readonly int[] _inputDims;

        public AdaptiveMaxPool2DBackward(Tensor x, Tensor indices) : base(x)
        {
            _inputDims = (int[])x.Dims.Clone();
            Save(indices);
        }

        public override Tensor?[] Backward(Tensor grad)
        {
            int n = _inputDims[0], c = _inputDims[1];
            Tensor index = Saved(0);
            int cells = index.Dims[2] * index.Dims[3];
            Tensor dx = Tensor.Zeros([n, c, _inputDims[2] * _inputDims[3]], grad.DType).ScatterAdd(2, index.Reshape(n, c, cells), grad.Reshape(n, c, cells));
            return [dx.Reshape(_inputDims)];
        }
    }
}
