namespace Messaging.Tests.Architecture;

public sealed class LayeringTests
{
    [Theory]
    [MemberData(nameof(Layers.Names), MemberType = typeof(Layers))]
    public void The_rule_holds(string name)
    {
        var rule = Layers.Named(name);
        var types = rule.Assembly.GetTypes();

        Assert.NotEmpty(rule.TypesOfLayer(types));
        Assert.Empty(rule.ViolationsIn(types));
    }

    /// <summary>
    /// The same rules over this test assembly, whose only types in the guarded namespaces are the
    /// deliberate violations of <c>Architecture/Samples</c>: each rule must report them.
    /// </summary>
    [Theory]
    [InlineData("The domain uses no ASP.NET Core, Azure or Functions types", "Microsoft.AspNetCore.Http.HttpContext", "Azure.Identity.DefaultAzureCredential")]
    [InlineData("Storage adapters use neither the hosts nor the HTTP functions", "Messaging.Functions.Hosting.StandaloneServer", "Messaging.Functions.Endpoints.MessageFunctions")]
    [InlineData("Real time uses neither the HTTP functions nor the hosts", "Messaging.Functions.Endpoints.TypingRequest", "Messaging.Functions.Hosting.MessagingHost")]
    public void The_rule_reports_a_violation(string name, params string[] forbiddenTypes)
    {
        var rule = Layers.Named(name);

        var violations = rule.ViolationsIn(typeof(LayeringTests).Assembly.GetTypes());

        Assert.Equal(forbiddenTypes.Order(StringComparer.Ordinal), violations.Select(line => line.Split(" uses ")[1]).Distinct().Order(StringComparer.Ordinal));
        Assert.All(violations, line => Assert.StartsWith(rule.Layer + ".LayeringSamples.", line, StringComparison.Ordinal));
    }
}
