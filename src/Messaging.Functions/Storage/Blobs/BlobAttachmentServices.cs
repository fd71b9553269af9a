using Messaging.Domain.Attachments;
using Messaging.Functions.Storage.Files;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messaging.Functions.Storage.Blobs;

public static class BlobAttachmentServices
{
    /// <summary>Attachment bytes in Blob storage (docs/decisions/0002-attachment-storage.md); downloads go to SAS URLs.</summary>
    public static IServiceCollection AddBlobAttachments(this IServiceCollection services, BlobStorageSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton(sp => new BlobContentStoreOptions
        {
            DownloadUrlLifetime = sp.GetRequiredService<IOptions<DownloadUrlOptions>>().Value.Lifetime,
            CreateContainer = settings.CreateContainer,
        });
        services.AddSingleton(sp => new BlobContentStore(
            settings.CreateContainerClient(),
            sp.GetRequiredService<BlobContentStoreOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<BlobContentStore>>()));
        services.AddSingleton<IAttachmentContentStore>(sp => sp.GetRequiredService<BlobContentStore>());
        services.AddHostedService<BlobStoreStartup>();

        // The standalone files route answers 404: there are no local files to serve.
        services.AddSingleton(new LocalDownloads(null, null));
        return services;
    }
}
