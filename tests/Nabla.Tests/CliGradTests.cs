using Nabla.Tests.Cli;

namespace Nabla.Tests;

/// <summary>
/// The name under which Cli/JitProfileTests.cs (owned by the parallel runtime change) runs the tool as a process; the
/// tests of <c>nabla grad</c> are in Cli/Commands/GradCommandTests.cs. Delete this class once that file calls
/// <see cref="CliRunner.RunProcess(IReadOnlyDictionary{string, string}, string[])"/>.
/// </summary>
internal static class CliGradTests
{
    /// <summary>See <see cref="CliRunner.RunProcess(IReadOnlyDictionary{string, string}, string[])"/>.</summary>
    public static CliResult RunProcess(IReadOnlyDictionary<string, string> environment, params string[] args) => CliRunner.RunProcess(environment, args);
}
