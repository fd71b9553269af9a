using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Messaging.Functions.Hosting;

/// <summary>
/// Reads the <c>Values</c> of <c>local.settings.json</c> the way the Functions host does, so one
/// file configures both hosts. <c>A__B</c> becomes the configuration key <c>A:B</c>.
/// </summary>
public static class LocalSettings
{
    public static IConfigurationBuilder AddLocalSettings(this IConfigurationBuilder builder, params string[] searchFolders)
    {
        foreach (var folder in searchFolders.Distinct())
        {
            var path = Path.Combine(folder, "local.settings.json");
            if (!File.Exists(path))
            {
                continue;
            }

            using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.TryGetProperty("Values", out var values) && values.ValueKind == JsonValueKind.Object)
            {
                var settings = values.EnumerateObject()
                    .Where(p => p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
                    .ToDictionary(p => p.Name.Replace("__", ":", StringComparison.Ordinal), p => (string?)p.Value.ToString());
                builder.AddInMemoryCollection(settings);
            }

            break;
        }

        return builder;
    }
}
