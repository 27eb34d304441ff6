using Nabla.NN;

namespace Nabla.Tests.Samples;

/// <summary>The README's transformer block by hand: it runs forward and backward, and it is causal.</summary>
public class TransformerBlockTests
{
    // Kept identical to the README's example.
    private sealed class Block : Module
    {
        private readonly LayerNorm _ln1, _ln2;
        private readonly Linear _qkv, _proj, _fc, _out;
        private readonly int _heads;

        public Block(int embd, int heads)
        {
            _heads = heads;
            _ln1 = RegisterModule("ln_1", new LayerNorm(embd));
            _qkv = RegisterModule("c_attn", new Linear(embd, 3 * embd));
            _proj = RegisterModule("c_proj", new Linear(embd, embd));
            _ln2 = RegisterModule("ln_2", new LayerNorm(embd));
            _fc = RegisterModule("c_fc", new Linear(embd, 4 * embd));
            _out = RegisterModule("mlp_proj", new Linear(4 * embd, embd));
        }

        protected override Tensor OnForward(Tensor x)                  // [B, T, C]
        {
            int b = x.Size(0), t = x.Size(1), c = x.Size(2);
            Tensor qkv = _qkv.Forward(_ln1.Forward(x)).Reshape(b, t, 3, _heads, c / _heads);
            Tensor Head(int i) => qkv.Select(2, i).Transpose(1, 2);   // [B, H, T, C/H]
            Tensor y = Functional.ScaledDotProductAttention(Head(0), Head(1), Head(2), isCausal: true);
            x = x + _proj.Forward(y.Transpose(1, 2).Reshape(b, t, c));
            return x + _out.Forward(Functional.Gelu(_fc.Forward(_ln2.Forward(x))));
        }
    }

    [Fact]
    public void Block_ForwardBackward_IsCausalAndReachesEveryParameter()
    {
        var block = new Block(16, 4);
        Tensor x = Tensor.Randn([2, 5, 16], generator: new Generator(3), requiresGrad: true);
        Tensor y = block.Forward(x);
        Assert.Equal(new Shape(2, 5, 16), y.Shape);
        y.Narrow(1, 0, 3).Sum().Backward();
        Assert.All(block.Parameters(), p => Assert.NotNull(p.Grad));
        // The first three positions cannot see the last two.
        float[] g = x.Grad!.ToArray<float>();
        for (int b = 0; b < 2; b++)
            for (int t = 3; t < 5; t++)
                for (int c = 0; c < 16; c++) Assert.Equal(0f, g[(b * 5 + t) * 16 + c]);
    }
}
