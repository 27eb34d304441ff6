namespace Nabla
{
    // Note [Einsum as batched products]
    // Einsum is composed of differentiable views, sums and one batched product per pair of operands, so it needs no
    // rule of its own and gets second derivatives for free. For a pair A, B the letters split into batch (in A, B and
    // still needed), contracted (in A and B, no longer needed), A-only and B-only. A is permuted to
    // [batch..., A-only..., contracted...] and B to [batch..., contracted..., B-only...]; each group of more than one
    // dim is merged (a copy only when the permuted view is not contiguous) and an empty group becomes a size-1 dim,
    // so the pair is one MatMul over the batch dims (GEMM reads a transposed view in place: "bhqd,bhkd->bhqk" copies
    // nothing). A pair with nothing to contract is a broadcast multiply instead (a GEMM with k = 1 only adds cost).
    // Letters that occur in one operand only and not in the output are summed away first; a letter repeated within
    // one operand takes the diagonal (a where over an identity mask, then a sum); more than two operands contract left
    // to right, keeping the letters that the output or a later operand needs.
    public sealed partial class Tensor
    {
        /// <summary>
        /// Einstein summation, as <c>torch.einsum</c>: <c>Einsum("ij,jk->ik", a, b)</c> is a matrix product.
        /// </summary>
        /// <remarks>
        /// The equation has one subscript list per operand (letters <c>a-z</c>, <c>A-Z</c>), separated by <c>,</c>, then
        /// <c>-&gt;</c> and the output's subscripts (possibly none: a 0-d result). Without <c>-&gt;</c> the output is
        /// the letters that occur exactly once, in alphabetical order. A letter names one size wherever it appears;
        /// <c>out[output letters] = Σ over the other letters of Π operands</c>. A letter repeated within one operand
        /// takes its diagonal (<c>"ii->i"</c>, <c>"ii->"</c> is the trace). Spaces are ignored; the ellipsis
        /// (<c>...</c>) is not supported. All operands share one floating-point dtype. Computed as batched matrix
        /// products (see Note [Einsum as batched products]); differentiable, also twice.
        /// </remarks>
        public static Tensor Einsum(string equation, params Tensor[] operands)
        {
            ArgumentNullException.ThrowIfNull(equation);
            ArgumentNullException.ThrowIfNull(operands);
            var eq = Ops.EinsumEquation.Parse(equation);
            CheckEinsumOperands(equation, eq, operands);
            return Ops.Composite.Run("EinsumBackward", operands, ops => Contract(eq, [.. ops.Select(o => o!)]));
        }

        /// <summary>The einsum of checked operands as diagonals, sums and batched products of pairs.</summary>
        private static Tensor Contract(Ops.EinsumEquation eq, Tensor[] operands)
        {
            var terms = new List<(Tensor T, List<char> L)>();
            for (int i = 0; i < operands.Length; i++)
            {
                var (t, letters) = TakeDiagonals(operands[i], [.. eq.Inputs[i]]);
                // Sum away letters that neither the output nor another operand uses.
                var others = new HashSet<char>(eq.Output);
                for (int j = 0; j < operands.Length; j++)
                    if (j != i) others.UnionWith(eq.Inputs[j]);
                terms.Add(SumLettersNotIn(t, letters, others));
            }

            var (acc, accLetters) = terms[0];
            for (int i = 1; i < terms.Count; i++)
            {
                var keep = new HashSet<char>(eq.Output);
                for (int j = i + 1; j < terms.Count; j++) keep.UnionWith(terms[j].L);
                (acc, accLetters) = ContractPair(acc, accLetters, terms[i].T, terms[i].L, keep);
            }
            (acc, accLetters) = SumLettersNotIn(acc, accLetters, [.. eq.Output]);
            int[] order = eq.Output.Select(c => accLetters.IndexOf(c)).ToArray();
            return IsIdentity(order) ? acc : acc.Permute(order);
        }

        private static void CheckEinsumOperands(string equation, Ops.EinsumEquation eq, Tensor[] operands)
        {
            if (operands.Length != eq.Inputs.Length)
                throw new ArgumentException(
                    $"einsum: the equation \"{equation}\" has {eq.Inputs.Length} operand subscript list(s) but {operands.Length} operand(s) were given");
            var sizes = new Dictionary<char, (int Size, int Operand, int Dim)>();
            for (int i = 0; i < operands.Length; i++)
            {
                Tensor t = operands[i] ?? throw new ArgumentNullException(nameof(operands), $"einsum: operand {i} is null");
                CheckFloat(t, "einsum");
                if (t.DType != operands[0].DType)
                    throw new ArgumentException(
                        $"einsum: operand {i} has dtype {t.DType.Name()} but operand 0 has dtype {operands[0].DType.Name()}; all operands must share one dtype");
                string subs = eq.Inputs[i];
                if (subs.Length != t.Rank)
                    throw new ArgumentException(
                        $"einsum: operand {i} has shape {t.Shape} ({t.Rank} dims) but its subscripts \"{subs}\" name {subs.Length} dims");
                for (int d = 0; d < subs.Length; d++)
                {
                    if (!sizes.TryGetValue(subs[d], out var first)) sizes[subs[d]] = (t.Dims[d], i, d);
                    else if (first.Size != t.Dims[d])
                        throw new ArgumentException(
                            $"einsum: subscript '{subs[d]}' has size {first.Size} in operand {first.Operand} (dim {first.Dim}) " +
                            $"but size {t.Dims[d]} in operand {i} (dim {d}); a letter must name one size");
                }
            }
        }

        /// <summary>For each letter repeated within <paramref name="letters"/>, the diagonal over its dims (one dim kept, at the first place).</summary>
        private static (Tensor, List<char>) TakeDiagonals(Tensor t, List<char> letters)
        {
            for (int q = 1; q < letters.Count; q++)
            {
                int p = letters.IndexOf(letters[q]);
                if (p == q) continue;
                int n = t.Dims[p];
                var shape = Enumerable.Repeat(1, t.Rank).ToArray();
                shape[p] = shape[q] = n;
                Tensor eye = Eye(n, dtype: DType.Bool).Reshape(shape);
                t = Where(eye, t, Scalar(0.0, t.DType)).Sum(q);
                letters.RemoveAt(q--);
            }
            return (t, letters);
        }

        private static (Tensor, List<char>) SumLettersNotIn(Tensor t, List<char> letters, HashSet<char> keep)
        {
            int[] dims = Enumerable.Range(0, letters.Count).Where(d => !keep.Contains(letters[d])).ToArray();
            if (dims.Length == 0) return (t, letters);
            return (t.Sum(dims), letters.Where(keep.Contains).ToList());
        }

        /// <summary>One product of two terms; see Note [Einsum as batched products].</summary>
        private static (Tensor, List<char>) ContractPair(Tensor a, List<char> la, Tensor b, List<char> lb, HashSet<char> keep)
        {
            var keepA = new HashSet<char>(keep);
            keepA.UnionWith(lb);
            var keepB = new HashSet<char>(keep);
            keepB.UnionWith(la);
            (a, la) = SumLettersNotIn(a, la, keepA);
            (b, lb) = SumLettersNotIn(b, lb, keepB);

            List<char> batch = la.Where(c => lb.Contains(c) && keep.Contains(c)).ToList();
            List<char> contracted = la.Where(c => lb.Contains(c) && !keep.Contains(c)).ToList();
            List<char> onlyA = la.Where(c => !lb.Contains(c)).ToList();
            List<char> onlyB = lb.Where(c => !la.Contains(c)).ToList();

            Tensor left = Grouped(a, la, batch, onlyA, contracted);
            Tensor right = Grouped(b, lb, batch, contracted, onlyB);
            Tensor product = contracted.Count == 0 ? left * right : left.MatMul(right);
            int[] batchDims = batch.Select(c => a.Dims[la.IndexOf(c)]).ToArray();
            int[] dims = [.. batchDims, .. onlyA.Select(c => a.Dims[la.IndexOf(c)]), .. onlyB.Select(c => b.Dims[lb.IndexOf(c)])];
            return (product.Reshape(dims), [.. batch, .. onlyA, .. onlyB]);
        }

        /// <summary><paramref name="t"/> permuted to [batch..., rows..., cols...] with the row and column groups merged into one dim each.</summary>
        private static Tensor Grouped(Tensor t, List<char> letters, List<char> batch, List<char> rows, List<char> cols)
        {
            int[] order = [.. batch.Select(c => letters.IndexOf(c)), .. rows.Select(c => letters.IndexOf(c)), .. cols.Select(c => letters.IndexOf(c))];
            Tensor p = IsIdentity(order) ? t : t.Permute(order);
            if (rows.Count == 1 && cols.Count == 1) return p;
            if (rows.Count == 0 && cols.Count == 1) return p.Unsqueeze(batch.Count);
            if (rows.Count == 1 && cols.Count == 0) return p.Unsqueeze(batch.Count + 1);
            int r = 1, c = 1;
            foreach (char ch in rows) r *= t.Dims[letters.IndexOf(ch)];
            foreach (char ch in cols) c *= t.Dims[letters.IndexOf(ch)];
            return p.Reshape([.. p.Dims[..batch.Count], r, c]);
        }

        private static bool IsIdentity(int[] order)
        {
            for (int i = 0; i < order.Length; i++)
                if (order[i] != i) return false;
            return true;
        }
    }
}

namespace Nabla.Ops
{
    /// <summary>A parsed einsum equation: the subscripts of each operand and of the output.</summary>
    internal sealed class EinsumEquation
    {
        private EinsumEquation(string[] inputs, string output) => (Inputs, Output) = (inputs, output);

        /// <summary>The letters of each operand, in order.</summary>
        public string[] Inputs { get; }

        /// <summary>The output's letters (given after <c>-&gt;</c>, or implied).</summary>
        public string Output { get; }

        /// <summary>Parses <paramref name="equation"/>; an error names the position (0-based) and what was expected there.</summary>
        public static EinsumEquation Parse(string equation)
        {
            var inputs = new List<string>();
            var current = new System.Text.StringBuilder();
            string? output = null;
            for (int i = 0; i < equation.Length; i++)
            {
                char ch = equation[i];
                if (char.IsAsciiLetter(ch)) current.Append(ch);
                else if (ch == ' ') continue;
                else if (ch == ',' && output is null)
                {
                    inputs.Add(current.ToString());
                    current.Clear();
                }
                else if (ch == '-' && output is null && i + 1 < equation.Length && equation[i + 1] == '>')
                {
                    inputs.Add(current.ToString());
                    current.Clear();
                    output = "";
                    i++;
                }
                else if (ch == '.')
                    throw Error(equation, i, "the ellipsis ('...') is not supported; name every dimension with a letter");
                else
                    throw Error(equation, i, output is null ? "expected a letter, ',' or '->'" : "expected a letter of the output (after '->' only letters follow)");
            }
            if (output is null) inputs.Add(current.ToString());
            else output = current.ToString();

            output ??= ImpliedOutput(inputs);
            int at = equation.IndexOf("->", StringComparison.Ordinal) + 2;
            for (int i = 0; i < output.Length; i++)
            {
                if (output.IndexOf(output[i], StringComparison.Ordinal) != i)
                    throw Error(equation, PositionOf(equation, at, i), $"the output subscript '{output[i]}' appears twice; each output letter appears once");
                if (!inputs.Any(s => s.Contains(output[i], StringComparison.Ordinal)))
                    throw Error(equation, PositionOf(equation, at, i), $"the output subscript '{output[i]}' does not appear in any operand's subscripts");
            }
            return new EinsumEquation([.. inputs], output);
        }

        /// <summary>Letters that occur exactly once over all operands, sorted (PyTorch's implicit output).</summary>
        private static string ImpliedOutput(List<string> inputs)
        {
            string all = string.Concat(inputs);
            return string.Concat(all.Where(c => all.Count(x => x == c) == 1).Order());
        }

        /// <summary>The position in <paramref name="equation"/> of the <paramref name="k"/>-th letter from <paramref name="start"/>, skipping spaces.</summary>
        private static int PositionOf(string equation, int start, int k)
        {
            for (int i = start; i < equation.Length; i++)
                if (equation[i] != ' ' && k-- == 0) return i;
            return equation.Length;
        }

        private static ArgumentException Error(string equation, int position, string what) =>
            new($"einsum: cannot use equation \"{equation}\" at position {position}" +
                (position < equation.Length ? $" ('{equation[position]}')" : " (its end)") + $": {what}");
    }
}
