using Messaging.Domain.Attachments;
using Messaging.Domain.Conversations;
using Messaging.Domain.Messages;
using Messaging.Domain.Presence;
using Microsoft.Extensions.DependencyInjection;

namespace Messaging.Functions.Storage.Sqlite;

public static class SqliteStoreServices
{
    /// <summary>
    /// The embedded store: one SQLite file, its repositories, and the dispatcher that hands the
    /// outbox to the fan-out. The database is opened (and migrated) here, so that a data folder this
    /// user cannot use fails while the services are built, before the host starts.
    /// </summary>
    public static IServiceCollection AddSqliteStore(this IServiceCollection services, string databasePath)
    {
        services.AddSingleton(new SqliteDatabase(databasePath));
        services.AddSingleton<IConversationRepository, SqliteConversationRepository>();
        services.AddSingleton<IMessageRepository, SqliteMessageRepository>();
        services.AddSingleton<IReactionRepository, SqliteReactionRepository>();
        services.AddSingleton<IAttachmentRepository, SqliteAttachmentRepository>();
        services.AddSingleton<IPresenceRepository, SqlitePresenceRepository>();
        services.AddSingleton<IStoreHealth, SqliteStoreHealth>();
        services.AddHostedService<SqliteChangeDispatcher>();
        return services;
    }
}
