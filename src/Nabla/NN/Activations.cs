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
