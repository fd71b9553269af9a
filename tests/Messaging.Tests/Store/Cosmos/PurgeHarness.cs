using System.Collections.Concurrent;
using Messaging.Domain.Attachments;
using Messaging.Functions.Storage.Cosmos;
using Microsoft.Extensions.Logging.Abstractions;

namespace Messaging.Tests.Store.Cosmos;

/// <summary>Attachment files as the purge sees them: deletes are recorded.</summary>
public sealed class RecordingContentStore : IAttachmentContentStore
{
    private readonly ConcurrentQueue<string> _deleted = new();

    public IReadOnlyList<string> Deleted => [.. _deleted];

    public IReadOnlyList<string> TakeDeleted()
    {
        var taken = new List<string>();
        while (_deleted.TryDequeue(out var key))
        {
            taken.Add(key);
        }

        return taken;
    }

    public Task<long?> SaveAsync(string storageKey, Stream content, AttachmentInfo info, long maxBytes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The purge never saves content.");

    public Task DeleteAsync(string storageKey, CancellationToken cancellationToken)
    {
        _deleted.Enqueue(storageKey);
        return Task.CompletedTask;
    }

    public ValueTask<string> GetDownloadUrlAsync(Attachment attachment, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The purge never signs URLs.");
}

/// <summary>
/// The purge service over a store, with waits recorded instead of slept (so a test sees the pacing)
/// and a fixed owner name per instance (a restart is a new instance).
/// </summary>
public sealed class PurgeHarness(CosmosStore store, TimeProvider clock, CosmosPurgeOptions? options = null)
{
    private readonly ConcurrentQueue<TimeSpan> _waits = new();

    public RecordingContentStore Files { get; } = new();

    public CosmosPurgeOptions Options { get; } = options ?? new CosmosPurgeOptions { Pause = TimeSpan.FromMilliseconds(10) };

    /// <summary>Every pause the services of this harness asked for, in order.</summary>
    public IReadOnlyList<TimeSpan> Waits => [.. _waits];

    internal CosmosPurgeService NewInstance(string owner = "instance-1") =>
        new(store, Files, clock, NullLogger.Instance, Options, (wait, _) =>
        {
            _waits.Enqueue(wait);
            return Task.CompletedTask;
        }, owner);

    /// <summary>Purges every pending conversation to the end with one instance; the storage keys of the files it deleted.</summary>
    public async Task<IReadOnlyList<string>> RunToEndAsync(string owner = "instance-1")
    {
        var instance = NewInstance(owner);
        while (await instance.PurgePendingAsync(CancellationToken.None))
        {
        }

        return Files.TakeDeleted();
    }
}
