namespace Messaging.Tests.Support;

/// <summary>
/// Test categories. Slow tests start processes, Azurite or long loads (soak, kill, <c>dotnet run</c>,
/// Blob storage); <c>dotnet test --filter "Category!=Slow"</c> runs everything else in well under a
/// minute, and CI runs all of them.
/// </summary>
public static class TestCategories
{
    public const string Name = "Category";

    public const string Slow = "Slow";
}
