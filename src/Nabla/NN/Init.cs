namespace Nabla.NN;

/// <summary>
/// Weight initialisers (PyTorch's <c>torch.nn.init</c>). Each fills the tensor in place without recording
/// and returns it. Fans: for a weight of shape [out, in, k...], fan_in = in·∏k and fan_out = out·∏k.
/// </summary>
public static class Init
{
    /// <summary>The recommended gain for a nonlinearity (<paramref name="param"/> is leaky ReLU's slope, default 0.01).</summary>
    public static double CalculateGain(Nonlinearity nonlinearity, double? param = null) => nonlinearity switch
    {
        Nonlinearity.Linear or Nonlinearity.Sigmoid => 1.0,
        Nonlinearity.Tanh => 5.0 / 3,
        Nonlinearity.Relu => Math.Sqrt(2.0),
        Nonlinearity.LeakyRelu => Math.Sqrt(2.0 / (1 + Math.Pow(param ?? 0.01, 2))),
        Nonlinearity.Selu => 3.0 / 4,
        _ => throw new ArgumentOutOfRangeException(nameof(nonlinearity), nonlinearity, "calculate_gain: unknown nonlinearity"),
    };

    /// <summary>(fan_in, fan_out) of a weight tensor of rank 2 or more.</summary>
    public static (int FanIn, int FanOut) CalculateFans(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Rank < 2)
            throw new ArgumentException($"init: fan in and fan out need a tensor of rank 2 or more, got shape {tensor.Shape}");
        int receptive = 1;
        for (int i = 2; i < tensor.Rank; i++) receptive *= tensor.Size(i);
        return (tensor.Size(1) * receptive, tensor.Size(0) * receptive);
    }

    private static Tensor Assign(Tensor tensor, Tensor values)
    {
        using (Autograd.NoGrad()) tensor.CopyFrom(values);
        return tensor;
    }

    /// <summary>Uniform values in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static Tensor Uniform(Tensor tensor, double low = 0, double high = 1, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (high < low) throw new ArgumentException($"init.uniform: high {high} is below low {low}");
        Tensor u;
        using (Autograd.NoGrad()) u = Tensor.Rand(tensor.Shape.ToArray(), tensor.DType, generator) * (high - low) + low;
        return Assign(tensor, u);
    }

    /// <summary>Normal values with the given mean and standard deviation.</summary>
    public static Tensor Normal(Tensor tensor, double mean = 0, double std = 1, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (std < 0) throw new ArgumentException($"init.normal: std must be non-negative, got {std}");
        Tensor n;
        using (Autograd.NoGrad()) n = Tensor.Randn(tensor.Shape.ToArray(), tensor.DType, generator) * std + mean;
        return Assign(tensor, n);
    }

    /// <summary>Every element set to <paramref name="value"/>.</summary>
    public static Tensor Constant(Tensor tensor, double value)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        using (Autograd.NoGrad()) tensor.Fill(value);
        return tensor;
    }

    /// <summary>Zeros.</summary>
    public static Tensor Zeros(Tensor tensor) => Constant(tensor, 0);

    /// <summary>Ones.</summary>
    public static Tensor Ones(Tensor tensor) => Constant(tensor, 1);

    /// <summary>Glorot/Xavier uniform: U(-a, a) with a = gain·sqrt(6/(fan_in + fan_out)).</summary>
    public static Tensor XavierUniform(Tensor tensor, double gain = 1, Generator? generator = null)
    {
        var (fanIn, fanOut) = CalculateFans(tensor);
        double a = gain * Math.Sqrt(6.0 / (fanIn + fanOut));
        return Uniform(tensor, -a, a, generator);
    }

    /// <summary>Glorot/Xavier normal: N(0, std²) with std = gain·sqrt(2/(fan_in + fan_out)).</summary>
    public static Tensor XavierNormal(Tensor tensor, double gain = 1, Generator? generator = null)
    {
        var (fanIn, fanOut) = CalculateFans(tensor);
        return Normal(tensor, 0, gain * Math.Sqrt(2.0 / (fanIn + fanOut)), generator);
    }

    /// <summary>He/Kaiming uniform: U(-b, b) with b = gain·sqrt(3/fan), gain from <paramref name="nonlinearity"/> and slope <paramref name="a"/>.</summary>
    public static Tensor KaimingUniform(Tensor tensor, double a = 0, FanMode mode = FanMode.FanIn,
        Nonlinearity nonlinearity = Nonlinearity.LeakyRelu, Generator? generator = null)
    {
        var (fanIn, fanOut) = CalculateFans(tensor);
        int fan = mode == FanMode.FanIn ? fanIn : fanOut;
        double bound = CalculateGain(nonlinearity, a) * Math.Sqrt(3.0 / fan);
        return Uniform(tensor, -bound, bound, generator);
    }

    /// <summary>He/Kaiming normal: N(0, std²) with std = gain/sqrt(fan).</summary>
    public static Tensor KaimingNormal(Tensor tensor, double a = 0, FanMode mode = FanMode.FanIn,
        Nonlinearity nonlinearity = Nonlinearity.LeakyRelu, Generator? generator = null)
    {
        var (fanIn, fanOut) = CalculateFans(tensor);
        int fan = mode == FanMode.FanIn ? fanIn : fanOut;
        return Normal(tensor, 0, CalculateGain(nonlinearity, a) / Math.Sqrt(fan), generator);
    }

    /// <summary>
    /// A (semi-)orthogonal matrix scaled by <paramref name="gain"/>: the tensor viewed as [rows, cols] with
    /// rows = size(0) gets orthonormal rows or columns (QR of a Gaussian matrix with the sign fix of R's diagonal).
    /// </summary>
    public static Tensor Orthogonal(Tensor tensor, double gain = 1, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Rank < 2) throw new ArgumentException($"init.orthogonal: needs a tensor of rank 2 or more, got shape {tensor.Shape}");
        int rows = tensor.Size(0), cols = (int)(tensor.Numel / rows);
        bool transpose = rows < cols;
        int m = transpose ? cols : rows, n = transpose ? rows : cols; // m >= n
        Generator g = Generator.Use(generator);
        var a = new double[m, n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) a[i, j] = g.NextNormal();
        // Modified Gram-Schmidt on the columns; signs follow R's diagonal, so the result is Haar-distributed.
        for (int j = 0; j < n; j++)
        {
            for (int k = 0; k < j; k++)
            {
                double dot = 0;
                for (int i = 0; i < m; i++) dot += a[i, k] * a[i, j];
                for (int i = 0; i < m; i++) a[i, j] -= dot * a[i, k];
            }
            double norm = 0;
            for (int i = 0; i < m; i++) norm += a[i, j] * a[i, j];
            norm = Math.Sqrt(norm);
            for (int i = 0; i < m; i++) a[i, j] /= norm;
        }
        var flat = new double[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) flat[r * cols + c] = gain * (transpose ? a[c, r] : a[r, c]);
        return Assign(tensor, Tensor.From(flat, tensor.Shape.ToArray(), dtype: tensor.DType));
    }
}
