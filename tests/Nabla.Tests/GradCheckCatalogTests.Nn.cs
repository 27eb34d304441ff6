namespace Nabla.Tests;

public partial class GradCheckCatalogTests
{
    private static IEnumerable<Row> ExtraRows() => [];
}
