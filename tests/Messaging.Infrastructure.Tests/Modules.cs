using System.Text.Json;

namespace Messaging.Infrastructure.Tests;

/// <summary>Module deployments of the compiled template, by name, and what main.bicep passes them.</summary>
internal static class Modules
{
    public static TemplateResource Module(this CompiledTemplate template, string name) =>
        template.OfType("Microsoft.Resources/deployments").Single(d => d.Element.GetProperty("name").GetString() == name);

    /// <summary>The expression main.bicep passes as a module parameter.</summary>
    public static string Argument(this TemplateResource module, string parameter) =>
        module.Element.GetProperty("properties").GetProperty("parameters").GetProperty(parameter).GetProperty("value") is { ValueKind: JsonValueKind.String } value
            ? value.GetString()!
            : module.Element.GetProperty("properties").GetProperty("parameters").GetProperty(parameter).GetProperty("value").GetRawText();

    /// <summary>Resources declared by the module's own template.</summary>
    public static IEnumerable<JsonElement> Declared(this TemplateResource module, string type)
    {
        var resources = module.Element.GetProperty("properties").GetProperty("template").GetProperty("resources");
        var list = resources.ValueKind == JsonValueKind.Object ? resources.EnumerateObject().Select(p => p.Value) : resources.EnumerateArray();
        return list.Where(r => string.Equals(r.GetProperty("type").GetString(), type, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>An expression referring to the output of another module: <c>…'Microsoft.Resources/deployments', 'name')…outputs.output.value</c>.</summary>
    public static bool RefersToOutput(string expression, string module, string output) =>
        expression.Contains($"'Microsoft.Resources/deployments', '{module}')", StringComparison.Ordinal)
        && expression.Contains($".outputs.{output}.value", StringComparison.Ordinal);
}
