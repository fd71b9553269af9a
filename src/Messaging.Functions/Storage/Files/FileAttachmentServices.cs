using Messaging.Domain.Attachments;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messaging.Functions.Storage.Files;

public static class FileAttachmentServices
{
    /// <summary>Attachment bytes as files under the data path, downloaded through the server's own signed URLs.</summary>
    public static IServiceCollection AddFileAttachments(this IServiceCollection services, string dataPath)
    {
        services.AddSingleton(sp => new DownloadUrlSigner(
            dataPath, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<DownloadUrlOptions>>().Value.Lifetime));
        services.AddSingleton(sp => new FileSystemContentStore(
            Path.Combine(dataPath, "files"), sp.GetRequiredService<DownloadUrlSigner>(), sp.GetRequiredService<ILogger<FileSystemContentStore>>()));
        services.AddSingleton<IAttachmentContentStore>(sp => sp.GetRequiredService<FileSystemContentStore>());
        services.AddSingleton(sp => new LocalDownloads(sp.GetRequiredService<DownloadUrlSigner>(), sp.GetRequiredService<FileSystemContentStore>()));
        return services;
    }
}
