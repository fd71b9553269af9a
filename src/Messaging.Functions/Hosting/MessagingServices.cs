using System.Globalization;
using System.Text.Json;
using Azure.Identity;
using Messaging.Domain.Application;
using Messaging.Domain.Attachments;
using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;
using Messaging.Domain.Realtime;
using Messaging.Functions.Auth;
using Messaging.Functions.Diagnostics;
using Messaging.Functions.Functions;
using Messaging.Functions.Http;
using Messaging.Functions.Realtime;
using Messaging.Functions.Realtime.SignalRService;
using Messaging.Functions.Storage.Blobs;
using Messaging.Functions.Storage.Cosmos;
using Messaging.Functions.Storage.Files;
using Messaging.Functions.Storage.Sqlite;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Hosting;

public enum MessagingHost
{
    Standalone,
    Functions,
}

/// <summary>Registers the application and the adapters chosen by configuration; the same for both hosts.</summary>
public static class MessagingServices
{
    public static readonly TimeSpan DownloadUrlLifetime = TimeSpan.FromMinutes(15);

    public const string SignalRConnectionSetting = "AzureSignalRConnectionString";

    public static string DataPath(IConfiguration configuration) =>
        Path.GetFullPath(configuration["Messaging:DataPath"] is { Length: > 0 } path ? path : ".data");

    /// <summary>How long a download URL works: <c>Attachments:DownloadUrlMinutes</c>, default 15.</summary>
    public static TimeSpan DownloadUrlLifetimeFor(IConfiguration configuration) =>
        configuration["Attachments:DownloadUrlMinutes"] is { Length: > 0 } minutes
            ? TimeSpan.FromMinutes(double.Parse(minutes, CultureInfo.InvariantCulture))
            : DownloadUrlLifetime;

    public static AuthOptions Auth(IConfiguration configuration) =>
        configuration.GetSection("Auth").Get<AuthOptions>() ?? new AuthOptions();

    /// <param name="services">The host's services.</param>
    /// <param name="configuration">The host's configuration.</param>
    /// <param name="host">Which host runs: under the Azure Functions host <c>AzureWebJobsStorage</c> (a connection string) also selects Blob storage, and there is no hub of our own.</param>
    public static IServiceCollection AddMessaging(this IServiceCollection services, IConfiguration configuration, MessagingHost host)
    {
        var dataPath = DataPath(configuration);
        // Limits bind by name: Messaging__MaxMessageLength, Messaging__SendsPerSecond, …
        var limits = new MessagingLimits();
        configuration.GetSection("Messaging").Bind(limits);

        services.AddSingleton(limits);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<UserRateLimiter>();
        services.AddSingleton(new TokenValidator(Auth(configuration), dataPath));
        services.AddSingleton(CorsPolicy.FromSetting(configuration["Cors:AllowedOrigins"]));
        services.AddSingleton<ApiPipeline>();

        if (CosmosOptions.FromConfiguration(configuration) is { } cosmos)
        {
            // Azure Cosmos DB: one CosmosClient for the process; the change feed processor feeds the fan-out.
            services.AddSingleton(cosmos);
            services.AddSingleton(sp => new CosmosStore(sp.GetRequiredService<CosmosOptions>()));
            services.AddSingleton<IConversationRepository, CosmosConversationRepository>();
            services.AddSingleton<IMessageRepository, CosmosMessageRepository>();
            services.AddSingleton<IAttachmentRepository, CosmosAttachmentRepository>();
            services.AddSingleton<IStoreHealth, CosmosStoreHealth>();
            services.AddSingleton<ChangeFeedStatus>();
            services.AddSingleton<IRealtimeFeedHealth>(sp => sp.GetRequiredService<ChangeFeedStatus>());
            services.AddHostedService<CosmosChangeFeedService>();
            services.AddHostedService<CosmosPurgeService>();
        }
        else
        {
            // Embedded store.
            services.AddSingleton(new SqliteDatabase(Path.Combine(dataPath, "messaging.db")));
            services.AddSingleton<IConversationRepository, SqliteConversationRepository>();
            services.AddSingleton<IMessageRepository, SqliteMessageRepository>();
            services.AddSingleton<IAttachmentRepository, SqliteAttachmentRepository>();
            services.AddSingleton<IStoreHealth, SqliteStoreHealth>();
            services.AddHostedService<SqliteChangeDispatcher>();
        }

        AddAttachmentContent(services, configuration, dataPath, host == MessagingHost.Functions);

        services.AddSingleton<ResourceMapper>();
        services.AddSingleton<ConversationService>();
        services.AddSingleton<MessageService>();
        services.AddSingleton<AttachmentService>();
        services.AddSingleton<TypingService>();
        services.AddSingleton<ChangeFanOut>();
        services.AddSingleton<ClientInvocations>();

        if (host == MessagingHost.Standalone)
        {
            // The standalone hub stays mapped even when Azure SignalR Service carries the events (harmless).
            services.AddSignalR(options => options.EnableDetailedErrors = false)
                .AddJsonProtocol(options => options.PayloadSerializerOptions = new JsonSerializerOptions(ApiJson.Options));
            services.AddSingleton<IUserIdProvider, SubjectUserIdProvider>();
            services.AddSingleton<HubConnectionCounter>();
        }

        var signalRService = AddAzureSignalR(services, configuration);
        if (signalRService is null && host == MessagingHost.Standalone)
        {
            services.AddSingleton<IRealtimePublisher, HubRealtimePublisher>();
            services.AddSingleton<INegotiator, StandaloneHubNegotiator>();
        }
        else if (signalRService is null)
        {
            services.AddSingleton<IRealtimePublisher, NoRealtimePublisher>();
            services.AddSingleton<INegotiator, NoNegotiator>();
        }

        services.AddSingleton(new UpstreamAuthenticator(signalRService, UpstreamAuthOptions.From(configuration)));

        services.AddScoped<ConversationFunctions>();
        services.AddScoped<MessageFunctions>();
        services.AddScoped<AttachmentFunctions>();
        services.AddScoped<SystemFunctions>();
        services.AddScoped<RealtimeFunctions>();
        services.AddScoped<UpstreamFunctions>();
        return services;
    }

    /// <summary>Attachment bytes: Blob storage when configured (docs/decisions/0002-attachment-storage.md), otherwise files under the data path.</summary>
    private static void AddAttachmentContent(IServiceCollection services, IConfiguration configuration, string dataPath, bool functionsHost)
    {
        var lifetime = DownloadUrlLifetimeFor(configuration);
        if (BlobStorageSettings.From(configuration, functionsHost) is { } blobs)
        {
            services.AddSingleton(blobs);
            services.AddSingleton(new BlobContentStoreOptions { DownloadUrlLifetime = lifetime, CreateContainer = blobs.CreateContainer });
            services.AddSingleton(sp => new BlobContentStore(
                blobs.CreateContainerClient(),
                sp.GetRequiredService<BlobContentStoreOptions>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<BlobContentStore>>()));
            services.AddSingleton<IAttachmentContentStore>(sp => sp.GetRequiredService<BlobContentStore>());
            services.AddHostedService<BlobStoreStartup>();

            // Downloads go to the SAS URLs: the standalone files route answers 404.
            services.AddSingleton(new LocalDownloads(null, null));
            return;
        }

        services.AddSingleton(sp => new DownloadUrlSigner(dataPath, sp.GetRequiredService<TimeProvider>(), lifetime));
        services.AddSingleton(sp => new FileSystemContentStore(
            Path.Combine(dataPath, "files"), sp.GetRequiredService<DownloadUrlSigner>(), sp.GetRequiredService<ILogger<FileSystemContentStore>>()));
        services.AddSingleton<IAttachmentContentStore>(sp => sp.GetRequiredService<FileSystemContentStore>());
        services.AddSingleton(sp => new LocalDownloads(sp.GetRequiredService<DownloadUrlSigner>(), sp.GetRequiredService<FileSystemContentStore>()));
    }

    /// <summary>
    /// Azure SignalR Service (serverless) when <c>AzureSignalRConnectionString</c> is set, on either
    /// host: events through its REST API, clients negotiated to it. Null when it is not set.
    /// </summary>
    private static SignalRConnectionString? AddAzureSignalR(IServiceCollection services, IConfiguration configuration)
    {
        if (configuration[SignalRConnectionSetting] is not { Length: > 0 } setting || string.IsNullOrWhiteSpace(setting))
        {
            return null;
        }

        var connection = SignalRConnectionString.Parse(setting);
        services.AddSingleton(connection);
        services.AddHttpClient(SignalRRestClient.HttpClientName, client => client.Timeout = SignalRRestClient.RequestTimeout);
        services.AddSingleton(sp => new SignalRTokens(
            connection,
            connection.AuthType == SignalRAuthType.ManagedIdentity
                ? new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = connection.ClientId })
                : null,
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<SignalRRestClient>();
        services.AddSingleton<SignalRGroups>();
        services.AddSingleton<MembershipReconciler>();
        services.AddHostedService(sp => sp.GetRequiredService<MembershipReconciler>());
        services.AddSingleton<MembershipHealer>();
        services.AddSingleton<IRealtimePublisher, AzureSignalRPublisher>();
        services.AddSingleton<INegotiator, AzureSignalRNegotiator>();
        services.AddHostedService<SignalRServiceStartup>();
        return connection;
    }
}
