using Messaging.Domain.Attachments;
using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;
using Messaging.Domain.Presence;
using Messaging.Functions.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Messaging.Functions.Storage.Cosmos;

public static class CosmosStoreServices
{
    /// <summary>
    /// Azure Cosmos DB: one <see cref="CosmosStore"/> (one client) for the process, its repositories,
    /// the change feed processors that feed the fan-out, and the purge of deleted conversations.
    /// </summary>
    public static IServiceCollection AddCosmosStore(this IServiceCollection services, CosmosOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(sp => new CosmosStore(sp.GetRequiredService<CosmosOptions>()));
        services.AddSingleton<IConversationRepository, CosmosConversationRepository>();
        services.AddSingleton<IMessageRepository, CosmosMessageRepository>();
        services.AddSingleton<IReactionRepository, CosmosReactionRepository>();
        services.AddSingleton<IAttachmentRepository, CosmosAttachmentRepository>();
        services.AddSingleton<IPresenceRepository, CosmosPresenceRepository>();
        services.AddSingleton<IStoreHealth, CosmosStoreHealth>();
        services.AddSingleton<ChangeFeedStatus>();
        services.AddSingleton<IRealtimeFeedHealth>(sp => sp.GetRequiredService<ChangeFeedStatus>());
        services.AddHostedService<CosmosChangeFeedService>();
        services.AddHostedService<CosmosPurgeService>();
        return services;
    }
}
