using System.Reflection;

namespace Messaging.Tests.Architecture;

/// <summary>
/// Types of <see cref="Assembly"/> in namespace <see cref="Layer"/> (or below it) depend on no type
/// in any of the <see cref="Forbidden"/> namespaces (or below them).
/// </summary>
public sealed record LayeringRule(string Name, Assembly Assembly, string Layer, IReadOnlyList<string> Forbidden)
{
    public IEnumerable<Type> TypesOfLayer(IEnumerable<Type> types) =>
        types.Where(type => IsWithin(type.Namespace, Layer));

    /// <summary>One line per dependency that breaks the rule: "type uses forbidden type".</summary>
    public IReadOnlyList<string> ViolationsIn(IEnumerable<Type> types) =>
        [.. TypesOfLayer(types)
            .SelectMany(type => TypeDependencies.Of(type)
                .Where(dependency => Forbidden.Any(forbidden => IsWithin(dependency.Namespace, forbidden)))
                .Select(dependency => $"{type.FullName} uses {dependency.FullName}"))
            .Order(StringComparer.Ordinal)];

    public override string ToString() => Name;

    private static bool IsWithin(string? @namespace, string root) =>
        @namespace is not null
        && (@namespace == root || @namespace.StartsWith(root + ".", StringComparison.Ordinal));
}
