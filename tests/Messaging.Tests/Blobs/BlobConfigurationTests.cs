using Azure.Storage.Blobs.Models;
using Messaging.Domain.Attachments;
using Messaging.Functions.Hosting;
using Messaging.Functions.Storage.Blobs;
using Messaging.Functions.Storage.Files;
using Messaging.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messaging.Tests.Blobs;

/// <summary>Which attachment store the configuration selects, and the delegation-key cache.</summary>
public sealed class BlobConfigurationTests
{
    private const string DevelopmentStorage = "UseDevelopmentStorage=true";

    private static IConfiguration Config(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    [Fact]
    public void Without_blob_settings_attachments_are_files()
    {
        Assert.Null(BlobStorageSettings.From(Config(), functionsHost: false));
        Assert.Null(BlobStorageSettings.From(Config(), functionsHost: true));
    }

    [Fact]
    public void AzureWebJobsStorage_selects_blobs_only_under_the_Functions_host()
    {
        var config = Config(("AzureWebJobsStorage", DevelopmentStorage));

        Assert.Null(BlobStorageSettings.From(config, functionsHost: false));
        var settings = BlobStorageSettings.From(config, functionsHost: true);
        Assert.Equal(DevelopmentStorage, settings?.ConnectionString);
        Assert.Equal("attachments", settings?.ContainerName);
        Assert.True(settings?.CreateContainer);
    }

    [Fact]
    public void An_identity_based_AzureWebJobsStorage_is_not_a_connection_string()
    {
        var config = Config(("AzureWebJobsStorage:accountName", "account"), ("AzureWebJobsStorage:credential", "managedidentity"));
        Assert.Null(BlobStorageSettings.From(config, functionsHost: true));
    }

    [Fact]
    public void The_blob_service_uri_means_managed_identity_without_creating_the_container()
    {
        var config = Config(
            ("Attachments:BlobServiceUri", "https://account.blob.core.windows.net/"),
            ("Attachments:ConnectionString", DevelopmentStorage),
            ("Attachments:Container", "files"),
            ("AZURE_CLIENT_ID", "11111111-2222-3333-4444-555555555555"));

        var settings = BlobStorageSettings.From(config, functionsHost: false)!;

        Assert.Equal(new Uri("https://account.blob.core.windows.net/"), settings.ServiceUri);
        Assert.Null(settings.ConnectionString);
        Assert.Equal("files", settings.ContainerName);
        Assert.False(settings.CreateContainer);
        Assert.Equal("11111111-2222-3333-4444-555555555555", settings.ManagedIdentityClientId);
        Assert.Equal("https://account.blob.core.windows.net/files", settings.CreateContainerClient().Uri.AbsoluteUri);
    }

    [Theory]
    [InlineData(DevelopmentStorage, null, true)]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=a2V5;EndpointSuffix=core.windows.net", null, false)]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=a2V5;EndpointSuffix=core.windows.net", "true", true)]
    [InlineData(DevelopmentStorage, "false", false)]
    public void The_container_is_created_by_default_only_on_the_emulator(string connectionString, string? createContainer, bool expected)
    {
        var settings = new List<(string, string)> { ("Attachments:ConnectionString", connectionString) };
        if (createContainer is not null)
        {
            settings.Add(("Attachments:CreateContainer", createContainer));
        }

        Assert.Equal(expected, BlobStorageSettings.From(Config([.. settings]), functionsHost: false)?.CreateContainer);
    }

    [Fact]
    public void Blob_mode_registers_the_blob_store_and_no_local_downloads()
    {
        var data = Path.Combine(Path.GetTempPath(), "messaging-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var services = new ServiceCollection().AddLogging();
            services.AddMessaging(Config(
                ("Messaging:DataPath", data),
                ("Attachments:ConnectionString", DevelopmentStorage),
                ("Attachments:DownloadUrlMinutes", "5")), MessagingHost.Standalone);
            using var provider = services.BuildServiceProvider();

            Assert.IsType<BlobContentStore>(provider.GetRequiredService<IAttachmentContentStore>());
            Assert.Equal(new LocalDownloads(null, null), provider.GetRequiredService<LocalDownloads>());
            Assert.Equal(TimeSpan.FromMinutes(5), provider.GetRequiredService<BlobContentStoreOptions>().DownloadUrlLifetime);
            Assert.Contains(provider.GetServices<IHostedService>(), s => s is BlobStoreStartup);
            Assert.Null(provider.GetService<FileSystemContentStore>());
        }
        finally
        {
            TemporaryFolder.DeleteQuietly(data);
        }
    }

    [Fact]
    public void The_default_is_files()
    {
        var data = Path.Combine(Path.GetTempPath(), "messaging-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var services = new ServiceCollection().AddLogging();
            services.AddMessaging(Config(("Messaging:DataPath", data), ("AzureWebJobsStorage", DevelopmentStorage)), MessagingHost.Standalone);
            using var provider = services.BuildServiceProvider();

            Assert.IsType<FileSystemContentStore>(provider.GetRequiredService<IAttachmentContentStore>());
            Assert.NotNull(provider.GetRequiredService<LocalDownloads>().Files);
        }
        finally
        {
            TemporaryFolder.DeleteQuietly(data);
        }
    }

    [Fact]
    public async Task The_user_delegation_key_is_cached_and_renewed_at_three_quarters_of_its_lifetime()
    {
        var time = new ManualTime(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var requested = new List<DateTimeOffset>();
        var cache = new UserDelegationKeyCache(
            (expiresOn, _) =>
            {
                requested.Add(expiresOn);
                return Task.FromResult(BlobsModelFactory.UserDelegationKey("oid", "tid", time.Now, expiresOn, "b", "2025-01-05", $"key{requested.Count}"));
            },
            time,
            TimeSpan.FromDays(1));

        var first = await cache.GetAsync(CancellationToken.None);
        time.Now += TimeSpan.FromHours(17);
        var stillFirst = await cache.GetAsync(CancellationToken.None);
        time.Now += TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1);
        var renewed = await cache.GetAsync(CancellationToken.None);

        Assert.Equal("key1", first.Value);
        Assert.Same(first, stillFirst);
        Assert.Equal("key2", renewed.Value);
        Assert.Equal([new DateTimeOffset(2025, 1, 2, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2025, 1, 2, 18, 0, 1, TimeSpan.Zero)], requested);
    }

    [Fact]
    public async Task Concurrent_callers_share_one_key_request()
    {
        var calls = 0;
        var release = new TaskCompletionSource<UserDelegationKey>();
        var cache = new UserDelegationKeyCache((_, _) => { Interlocked.Increment(ref calls); return release.Task; }, TimeProvider.System, TimeSpan.FromDays(1));

        var pending = Enumerable.Range(0, 5).Select(_ => cache.GetAsync(CancellationToken.None).AsTask()).ToArray();
        release.SetResult(BlobsModelFactory.UserDelegationKey("oid", "tid", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1), "b", "2025-01-05", "key"));
        var keys = await Task.WhenAll(pending);

        Assert.Equal(1, calls);
        Assert.All(keys, k => Assert.Equal("key", k.Value));
    }

    [Fact]
    public async Task A_user_delegation_SAS_is_signed_with_the_cached_key_when_there_is_no_account_key()
    {
        // A client with a token credential cannot sign a service SAS; the store falls back to a
        // user-delegation SAS. The key request fails here (no Entra ID), proving the path is taken.
        var container = new Azure.Storage.Blobs.BlobContainerClient(
            new Uri("https://127.0.0.1:9/devstoreaccount1/attachments"),
            new StaticToken(),
            new Azure.Storage.Blobs.BlobClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(2) } });
        var logger = new ListLogger<BlobContentStore>();
        var store = new BlobContentStore(container, new BlobContentStoreOptions(), TimeProvider.System, logger);
        var attachment = Attachment.Create(new AttachmentInfo("a1", "x.txt", "text/plain", 1, "alice", DateTimeOffset.UtcNow), null);

        Assert.False(container.GetBlobClient(attachment.StorageKey).CanGenerateSasUri);
        await Assert.ThrowsAsync<Azure.RequestFailedException>(async () => await store.GetDownloadUrlAsync(attachment, CancellationToken.None));
        Assert.Contains(logger.Entries, e => e.Contains("get user delegation key", StringComparison.Ordinal) && e.Contains(attachment.StorageKey, StringComparison.Ordinal));
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class StaticToken : Azure.Core.TokenCredential
    {
        public override Azure.Core.AccessToken GetToken(Azure.Core.TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new("token", DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<Azure.Core.AccessToken> GetTokenAsync(Azure.Core.TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }

    private sealed class ListLogger<T> : ILogger<T>
    {
        public List<string> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add(formatter(state, exception));
    }
}
