using System.Text.Json;
using System.Text.RegularExpressions;

namespace Messaging.Infrastructure.Tests;

/// <summary>A resource of the compiled ARM template, with the (nested) template that declares it.</summary>
internal sealed record TemplateResource(string Type, JsonElement Element, TemplateScope Scope)
{
    public JsonElement Properties => Element.GetProperty("properties");

    /// <summary>A property value, with a plain <c>[parameters('x')]</c> / <c>[variables('x')]</c> reference resolved.</summary>
    public JsonElement Resolve(JsonElement value) => Scope.Resolve(value);
}

/// <summary>One template (the root or a module's nested template) and the parameter values passed to it.</summary>
internal sealed partial class TemplateScope(JsonElement template, IReadOnlyDictionary<string, JsonElement> arguments)
{
    public JsonElement Template { get; } = template;

    public JsonElement Resolve(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return value;
        }

        var match = SimpleReference().Match(value.GetString()!);
        if (!match.Success)
        {
            return value;
        }

        var resolved = Reference(match.Groups["kind"].Value, match.Groups["name"].Value);
        return match.Groups["member"].Success && resolved.ValueKind == JsonValueKind.Object
            ? Resolve(resolved.GetProperty(match.Groups["member"].Value))
            : resolved;
    }

    /// <summary>The value of a parameter of this template: the argument passed to it, else its default.</summary>
    public JsonElement Parameter(string name) => Reference("parameters", name);

    /// <summary>
    /// Every string value an expression refers to through <c>variables('x')</c>, <c>variables('x').member</c>
    /// or <c>parameters('x')</c> (arrays contribute each item), plus the expression itself.
    /// </summary>
    public IEnumerable<string> ReferencedStrings(string expression)
    {
        yield return expression;
        foreach (Match match in EmbeddedReference().Matches(expression))
        {
            var value = Reference(match.Groups["kind"].Value, match.Groups["name"].Value);
            if (match.Groups["member"].Success && value.ValueKind == JsonValueKind.Object)
            {
                value = Resolve(value.GetProperty(match.Groups["member"].Value));
            }

            var items = value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray()] : new[] { value };
            foreach (var item in items.Select(Resolve).Where(i => i.ValueKind == JsonValueKind.String))
            {
                yield return item.GetString()!;
            }
        }
    }

    private JsonElement Reference(string kind, string name)
    {
        if (kind == "variables")
        {
            return Resolve(Template.GetProperty("variables").GetProperty(name));
        }

        if (arguments.TryGetValue(name, out var argument))
        {
            return argument;
        }

        var parameter = Template.GetProperty("parameters").GetProperty(name);
        return parameter.TryGetProperty("defaultValue", out var defaultValue)
            ? Resolve(defaultValue)
            : JsonSerializer.SerializeToElement($"[parameters('{name}')]"); // a required parameter: left as is
    }

    /// <summary>The items a <c>copy</c> loop iterates over, when it loops over a variable or parameter array.</summary>
    public IReadOnlyList<JsonElement> LoopItems(JsonElement resource)
    {
        var count = resource.GetProperty("copy").GetProperty("count").GetString()!;
        var match = LoopOverArray().Match(count);
        Assert.True(match.Success, $"unsupported copy loop: {count}");
        var array = Reference(match.Groups["kind"].Value, match.Groups["name"].Value);
        Assert.Equal(JsonValueKind.Array, array.ValueKind);
        return [.. array.EnumerateArray()];
    }

    [GeneratedRegex(@"^\[(?<kind>parameters|variables)\('(?<name>[A-Za-z0-9_]+)'\)(\.(?<member>[A-Za-z0-9_]+))?\]$")]
    private static partial Regex SimpleReference();

    [GeneratedRegex(@"(?<kind>parameters|variables)\('(?<name>[A-Za-z0-9_]+)'\)(\.(?<member>[A-Za-z0-9_]+))?")]
    private static partial Regex EmbeddedReference();

    [GeneratedRegex(@"^\[length\((?<kind>parameters|variables)\('(?<name>[A-Za-z0-9_]+)'\)\)\]$")]
    private static partial Regex LoopOverArray();
}

/// <summary>infra/main.bicep compiled with <c>bicep build --stdout</c>, flattened across module deployments.</summary>
internal sealed class CompiledTemplate
{
    private CompiledTemplate(JsonDocument document, string json)
    {
        Root = document.RootElement;
        Json = json;
        var resources = new List<TemplateResource>();
        Collect(new TemplateScope(Root, new Dictionary<string, JsonElement>()), resources);
        Resources = resources;
    }

    public JsonElement Root { get; }

    /// <summary>The whole compiled template as text.</summary>
    public string Json { get; }

    /// <summary>Every resource, those of nested module deployments included.</summary>
    public IReadOnlyList<TemplateResource> Resources { get; }

    public static CompiledTemplate Build()
    {
        var result = BicepCli.Run("build", BicepCli.MainTemplate, "--stdout");
        Assert.True(result.ExitCode == 0, $"bicep build failed ({result.ExitCode}):\n{result.AllOutput}");
        return new CompiledTemplate(JsonDocument.Parse(result.StandardOutput), result.StandardOutput);
    }

    public IReadOnlyList<TemplateResource> OfType(string type) =>
        [.. Resources.Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase))];

    public TemplateResource Single(string type)
    {
        var matches = OfType(type);
        Assert.True(matches.Count == 1, $"expected one {type}, found {matches.Count}");
        return matches[0];
    }

    /// <summary>The <c>sites/config</c> "appsettings" resource.</summary>
    public TemplateResource AppSettingsResource() =>
        OfType("Microsoft.Web/sites/config").Single(r => r.Element.GetProperty("name").GetString()!.Contains("appsettings", StringComparison.Ordinal));

    /// <summary>
    /// The settings the template writes: the properties of the "appsettings" resource, or the last
    /// argument of <c>union(parameters('existing…'), parameters('…'))</c> when it keeps the site's own.
    /// </summary>
    public IReadOnlyDictionary<string, JsonElement> AppSettings()
    {
        var config = AppSettingsResource();
        var properties = config.Resolve(config.Properties);
        if (properties.ValueKind == JsonValueKind.String
            && System.Text.RegularExpressions.Regex.Match(properties.GetString()!, @"^\[union\(parameters\('\w+'\), parameters\('(?<written>\w+)'\)\)\]$") is { Success: true } union)
        {
            properties = config.Scope.Parameter(union.Groups["written"].Value);
        }

        Assert.Equal(JsonValueKind.Object, properties.ValueKind);
        return properties.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
    }

    /// <summary>An object argument's members are expressions of the calling template: resolve them there.</summary>
    private static JsonElement ResolveMembers(TemplateScope scope, JsonElement value) =>
        value.ValueKind == JsonValueKind.Object
            ? JsonSerializer.SerializeToElement(value.EnumerateObject().ToDictionary(p => p.Name, p => scope.Resolve(p.Value)))
            : value;

    private static void Collect(TemplateScope scope, List<TemplateResource> into)
    {
        var resources = scope.Template.GetProperty("resources");
        var list = resources.ValueKind == JsonValueKind.Object
            ? resources.EnumerateObject().Select(p => p.Value) // symbolic-name templates
            : resources.EnumerateArray();
        foreach (var resource in list)
        {
            var type = resource.GetProperty("type").GetString()!;
            into.Add(new TemplateResource(type, resource, scope));
            if (type == "Microsoft.Resources/deployments"
                && resource.GetProperty("properties").TryGetProperty("template", out var nested))
            {
                var arguments = new Dictionary<string, JsonElement>();
                if (resource.GetProperty("properties").TryGetProperty("parameters", out var parameters))
                {
                    foreach (var parameter in parameters.EnumerateObject())
                    {
                        if (parameter.Value.TryGetProperty("value", out var value))
                        {
                            arguments[parameter.Name] = ResolveMembers(scope, scope.Resolve(value));
                        }
                    }
                }

                Collect(new TemplateScope(nested, arguments), into);
            }
        }
    }
}

/// <summary>Compiles the template once for a test class.</summary>
public sealed class CompiledTemplateFixture
{
    private readonly Lazy<CompiledTemplate> template = new(CompiledTemplate.Build);

    internal CompiledTemplate Template => template.Value;
}
