using Azure;
using Messaging.Functions.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Storage.Blobs;

/// <summary>
/// At start-up: says where attachments go and creates the container when the settings allow it
/// (<c>Attachments:CreateContainer</c>, default true only for the local emulator). A failure does
/// not stop the host: it is logged, and the first upload tries again.
/// </summary>
internal sealed class BlobStoreStartup(BlobContentStore store, BlobStorageSettings settings, ILogger<BlobStoreStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Log.BlobStore(logger, store.Container.Uri.GetLeftPart(UriPartial.Path), settings.Authentication, settings.CreateContainer);
        try
        {
            await store.EnsureContainerAsync().WaitAsync(cancellationToken);
        }
        catch (RequestFailedException)
        {
            // Logged by the store with its status and error code.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
