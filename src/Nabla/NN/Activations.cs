namespace Nabla.NN;

/// <summary>ReLU: <c>max(x, 0)</c>.</summary>
public sealed class Relu : Module
{
    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => input.Relu();
}

/// <summary>Tanh.</summary>
public sealed class Tanh : Module
{
    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => input.Tanh();
}

/// <summary>Logistic sigmoid.</summary>
public sealed class Sigmoid : Module
{
    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => input.Sigmoid();
}

/// <summary>Softmax along <c>dim</c>.</summary>
public sealed class Softmax(int dim = -1) : Module
{
    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => input.Softmax(dim);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"dim={dim}";
}

/// <summary>Log-softmax along <c>dim</c>.</summary>
public sealed class LogSoftmax(int dim = -1) : Module
{
    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => input.LogSoftmax(dim);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"dim={dim}";
}

/// <summary>GELU, exact (erf) or with the tanh approximation.</summary>
public sealed class Gelu(GeluApproximation approximate = GeluApproximation.None) : Module
{
    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.Gelu(input, approximate);

    /// <inheritdoc/>
    protected override string ExtraRepr() => approximate == GeluApproximation.Tanh ? "approximate='tanh'" : "approximate='none'";
}

/// <summary>SiLU (Swish): <c>x·sigmoid(x)</c>.</summary>
public sealed class Silu : Module
{
    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.Silu(input);
}

/// <summary>Leaky ReLU: <c>x</c> for x &gt; 0, else <c>negativeSlope·x</c>.</summary>
public sealed class LeakyRelu(double negativeSlope = 0.01) : Module
{
    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.LeakyRelu(input, negativeSlope);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"negative_slope={PyRepr.Float(negativeSlope)}";
}

/// <summary>ELU: <c>x</c> for x &gt; 0, else <c>alpha·(e^x − 1)</c>.</summary>
public sealed class Elu(double alpha = 1) : Module
{
    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.Elu(input, alpha);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"alpha={PyRepr.Float(alpha)}";
}

/// <summary>Softplus: <c>log(1 + e^(beta·x))/beta</c>, linear above the threshold.</summary>
public sealed class Softplus(double beta = 1, double threshold = 20) : Module
{
    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.Softplus(input, beta, threshold);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"beta={PyRepr.Number(beta)}, threshold={PyRepr.Number(threshold)}";
}
