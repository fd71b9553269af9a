using System.Globalization;
using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;

namespace Messaging.Functions.Storage.Blobs;

/// <summary>
/// Whether attachments live in Blob storage, and how to reach it (see docs/decisions/0002-attachment-storage.md):
/// <list type="number">
/// <item><c>Attachments:BlobServiceUri</c>: Entra ID through <see cref="DefaultAzureCredential"/> (managed identity, <c>AZURE_CLIENT_ID</c> for a user-assigned one);</item>
/// <item><c>Attachments:ConnectionString</c>: a storage connection string (account key, or <c>UseDevelopmentStorage=true</c>);</item>
/// <item>under the Functions host only: <c>AzureWebJobsStorage</c> when it is a connection string.</item>
/// </list>
/// Otherwise (the standalone default) attachments are files under the data path.
/// </summary>
public sealed record BlobStorageSettings(Uri? ServiceUri, string? ConnectionString, string ContainerName, bool CreateContainer, string? ManagedIdentityClientId)
{
    public const string DefaultContainer = "attachments";

    public static BlobStorageSettings? From(IConfiguration configuration, bool functionsHost)
    {
        var container = configuration["Attachments:Container"] is { Length: > 0 } name ? name : DefaultContainer;
        if (configuration["Attachments:BlobServiceUri"] is { Length: > 0 } serviceUri)
        {
            // Managed identity: the infrastructure creates the container; the identity need not be allowed to.
            return new BlobStorageSettings(new Uri(serviceUri, UriKind.Absolute), null, container,
                CreateContainerSetting(configuration) ?? false,
                configuration["AZURE_CLIENT_ID"] is { Length: > 0 } clientId ? clientId : null);
        }

        var connectionString = configuration["Attachments:ConnectionString"] is { Length: > 0 } explicitString
            ? explicitString
            : functionsHost && IsConnectionString(configuration["AzureWebJobsStorage"]) ? configuration["AzureWebJobsStorage"] : null;
        return connectionString is null
            ? null
            // A connection string to the local emulator: create the container so that a fresh Azurite works at once.
            : new BlobStorageSettings(null, connectionString, container, CreateContainerSetting(configuration) ?? IsEmulator(connectionString), null);
    }

    public BlobContainerClient CreateContainerClient()
    {
        if (ServiceUri is not null)
        {
            var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = ManagedIdentityClientId });
            return new BlobServiceClient(ServiceUri, credential).GetBlobContainerClient(ContainerName);
        }

        return new BlobServiceClient(ConnectionString).GetBlobContainerClient(ContainerName);
    }

    /// <summary>How the store authenticates, for the start-up log line (never the secret itself).</summary>
    public string Authentication => ServiceUri is not null ? "Entra ID (DefaultAzureCredential)" : "connection string";

    // An identity-based AzureWebJobsStorage is a section (AzureWebJobsStorage__accountName …), not a string.
    private static bool IsConnectionString(string? value) =>
        value is { Length: > 0 }
        && (value.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase)
            || value.Contains("AccountName=", StringComparison.OrdinalIgnoreCase)
            || value.Contains("BlobEndpoint=", StringComparison.OrdinalIgnoreCase));

    private static bool IsEmulator(string connectionString) =>
        connectionString.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase)
        || connectionString.Contains("AccountName=devstoreaccount1", StringComparison.OrdinalIgnoreCase);

    private static bool? CreateContainerSetting(IConfiguration configuration) =>
        configuration["Attachments:CreateContainer"] is { Length: > 0 } value
            ? bool.Parse(value.ToLower(CultureInfo.InvariantCulture))
            : null;
}
