using System.Data.Common;
using Azure.Storage.Blobs;
using Messaging.Functions.Auth;
using Messaging.Functions.Realtime.SignalRService;
using Messaging.Functions.Storage.Blobs;
using Messaging.Functions.Storage.Cosmos;
using Microsoft.Extensions.Configuration;

namespace Messaging.Functions.Hosting;

/// <summary>
/// The configuration checks that run before any service is built, so that a mistake stops the
/// process at once with a <see cref="StartupException"/> naming the setting (never its value).
/// </summary>
public static class StartupChecks
{
    public const string CosmosConnectionSetting = "CosmosDb__ConnectionString";
    public const string AttachmentsConnectionSetting = "Attachments__ConnectionString";
    public const string DataPathSetting = "Messaging__DataPath";

    public static void Run(IConfiguration configuration, MessagingHost host)
    {
        var auth = MessagingServices.Auth(configuration);
        auth.Validate();
        if (!string.IsNullOrWhiteSpace(auth.SigningKey))
        {
            SigningKeys.Resolve(auth, dataPath: "");
        }

        CheckCosmosConnectionString(configuration["CosmosDb:ConnectionString"]);
        CheckSignalRConnectionString(configuration[MessagingServices.SignalRConnectionSetting]);
        CheckBlobConnectionString(configuration["Attachments:ConnectionString"]);
        if (UsesDataFolder(configuration, host, auth))
        {
            CheckDataFolder(MessagingServices.DataPath(configuration));
        }
    }

    /// <summary>The data folder holds the embedded store, attachment files and generated keys: needed unless Cosmos DB, Blob storage and a configured key or authority replace all three.</summary>
    public static bool UsesDataFolder(IConfiguration configuration, MessagingHost host, AuthOptions auth) =>
        CosmosOptions.FromConfiguration(configuration) is null
        || BlobStorageSettings.From(configuration, host == MessagingHost.Functions) is null
        || SigningKeys.IsDevelopmentMode(auth);

    /// <summary><c>AccountEndpoint=https://…;AccountKey=…;</c>, as the Cosmos DB SDK requires.</summary>
    public static void CheckCosmosConnectionString(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        const string Expected = "expected AccountEndpoint=https://<account>.documents.azure.com:443/;AccountKey=<key>;";
        var parts = new DbConnectionStringBuilder();
        try
        {
            parts.ConnectionString = value;
        }
        catch (ArgumentException)
        {
            throw new StartupException($"{CosmosConnectionSetting} is not a connection string ({Expected}).");
        }

        if (!parts.TryGetValue("AccountEndpoint", out var endpoint) || !Uri.TryCreate(endpoint?.ToString(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new StartupException($"{CosmosConnectionSetting} has no AccountEndpoint that is an absolute http(s) URL ({Expected}).");
        }

        if (!parts.TryGetValue("AccountKey", out var key) || key?.ToString() is not { Length: > 0 } keyText
            || !Convert.TryFromBase64String(keyText, new byte[keyText.Length], out _))
        {
            throw new StartupException($"{CosmosConnectionSetting} has no AccountKey in base64 ({Expected}).");
        }
    }

    public static void CheckSignalRConnectionString(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        try
        {
            SignalRConnectionString.Parse(value);
        }
        catch (FormatException exception)
        {
            // The parser's messages name the setting and the part that is wrong, never a value.
            throw new StartupException(exception.Message, exception);
        }
    }

    /// <summary>Parsed by the Storage SDK itself (no request is made).</summary>
    public static void CheckBlobConnectionString(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        try
        {
            _ = new BlobServiceClient(value);
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new StartupException(
                $"{AttachmentsConnectionSetting} is not a storage connection string (expected DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=core.windows.net, or UseDevelopmentStorage=true).",
                exception);
        }
    }

    /// <summary>The folder exists or can be created, and this user can create, read and delete a file in it.</summary>
    public static void CheckDataFolder(string dataPath)
    {
        if (File.Exists(dataPath))
        {
            throw new StartupException($"The data folder {dataPath} ({DataPathSetting}) is a file, not a folder. Choose a folder this user can read and write.");
        }

        var probe = Path.Combine(dataPath, $".probe-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(dataPath);
            File.WriteAllText(probe, "probe");
            _ = File.ReadAllText(probe);
            File.Delete(probe);
            _ = Directory.EnumerateFileSystemEntries(dataPath).Any();
        }
        catch (Exception exception) when (exception is UnauthorizedAccessException or IOException)
        {
            throw new StartupException(
                $"The data folder {dataPath} ({DataPathSetting}) cannot be used: {exception.Message} Choose a folder this user can read and write.",
                exception);
        }
    }
}
