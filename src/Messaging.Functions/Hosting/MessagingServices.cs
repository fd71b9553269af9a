using Messaging.Domain.Application;
using Messaging.Domain.Common;
using Messaging.Domain.Presence;
using Messaging.Domain.Realtime;
using Messaging.Functions.Auth;
using Messaging.Functions.Endpoints;
using Messaging.Functions.Http;
using Messaging.Functions.Realtime;
using Messaging.Functions.Storage.Blobs;
using Messaging.Functions.Storage.Cosmos;
using Messaging.Functions.Storage.Files;
using Messaging.Functions.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
    public const string SignalRConnectionSetting = RealtimeServices.AzureSignalRConnectionSetting;

    public static string DataPath(IConfiguration configuration) =>
        Path.GetFullPath(configuration["Messaging:DataPath"] is { Length: > 0 } path ? path : ".data");

    public static AuthOptions Auth(IConfiguration configuration) =>
        configuration.GetSection("Auth").Get<AuthOptions>() ?? new AuthOptions();

    /// <param name="services">The host's services.</param>
    /// <param name="configuration">The host's configuration.</param>
    /// <param name="host">
    /// Which host runs: under the Azure Functions host <c>AzureWebJobsStorage</c> (a connection string)
    /// also selects Blob storage, and there is no hub of our own.
    /// </param>
    public static IServiceCollection AddMessaging(this IServiceCollection services, IConfiguration configuration, MessagingHost host)
    {
        var dataPath = DataPath(configuration);
        services.TryAddSingleton(configuration);
        services.AddSingleton(TimeProvider.System);
        services.AddMessagingOptions();
        services.AddRequestGate(configuration, dataPath);
        services.AddApplication();

        if (CosmosOptions.FromConfiguration(configuration) is { } cosmos)
        {
            services.AddCosmosStore(cosmos);
        }
        else
        {
            services.AddSqliteStore(Path.Combine(dataPath, "messaging.db"));
        }

        if (BlobStorageSettings.From(configuration, functionsHost: host == MessagingHost.Functions) is { } blobs)
        {
            services.AddBlobAttachments(blobs);
        }
        else
        {
            services.AddFileAttachments(dataPath);
        }

        services.AddRealtime(configuration, ownHub: host == MessagingHost.Standalone);
        services.AddFunctions();
        return services;
    }

    /// <summary>What every request passes: CORS, the bearer token, and problem details for anything unexpected.</summary>
    private static void AddRequestGate(this IServiceCollection services, IConfiguration configuration, string dataPath)
    {
        services.AddSingleton(new TokenValidator(Auth(configuration), dataPath));
        services.AddSingleton(CorsPolicy.FromSetting(configuration["Cors:AllowedOrigins"]));
        services.AddSingleton<ApiPipeline>();

        // Problem details are written by ASP.NET Core with these options: the same escaping as every other body.
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Encoder = ApiJson.Options.Encoder);
        services.AddSingleton(sp => new AuthGate(
            sp.GetRequiredService<TokenValidator>(), sp.GetRequiredService<CorsPolicy>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger<AuthGate>()));
    }

    /// <summary>The domain's application services and the change fan-out.</summary>
    private static void AddApplication(this IServiceCollection services)
    {
        services.AddSingleton<UserRateLimiter>();
        services.AddSingleton<ResourceMapper>();
        services.AddSingleton<ConversationService>();
        services.AddSingleton<MessageService>();
        services.AddSingleton<ReactionService>();
        services.AddSingleton<AttachmentService>();
        services.AddSingleton<TypingService>();
        services.AddSingleton<ChangeFanOut>();
        services.AddSingleton<PresenceAnnouncer>();
        services.AddSingleton<PresenceService>();
        services.AddSingleton<PresenceQuery>();
    }

    /// <summary>The HTTP functions, one instance per invocation as under the Functions host.</summary>
    private static void AddFunctions(this IServiceCollection services)
    {
        services.AddScoped<ConversationFunctions>();
        services.AddScoped<MessageFunctions>();
        services.AddScoped<ReactionFunctions>();
        services.AddScoped<AttachmentFunctions>();
        services.AddScoped<SystemFunctions>();
        services.AddScoped<RealtimeFunctions>();
        services.AddScoped<UpstreamFunctions>();
        services.AddScoped<PresenceFunctions>();
    }
}
