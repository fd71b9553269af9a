using System.Text.Json;
using Azure.Identity;
using Messaging.Domain.Presence;
using Messaging.Domain.Realtime;
using Messaging.Functions.Diagnostics;
using Messaging.Functions.Http;
using Messaging.Functions.Realtime.SignalRService;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Messaging.Functions.Realtime;

public static class RealtimeServices
{
    public const string AzureSignalRConnectionSetting = "AzureSignalRConnectionString";

    /// <summary>
    /// Where events go and where clients connect: Azure SignalR Service (serverless) when
    /// <c>AzureSignalRConnectionString</c> is set, on either host; otherwise the standalone server's
    /// own hub, or, under the Functions host, nothing (clients poll). The publisher that pushes is
    /// counted (<see cref="MeteredRealtimePublisher"/>) here, where it is chosen.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">The host's configuration.</param>
    /// <param name="ownHub">The standalone server maps its own hub (kept even when Azure SignalR Service carries the events: harmless).</param>
    public static IServiceCollection AddRealtime(this IServiceCollection services, IConfiguration configuration, bool ownHub)
    {
        services.AddSingleton<ClientInvocations>();
        if (ownHub)
        {
            services.AddSignalR(options => options.EnableDetailedErrors = false)
                .AddJsonProtocol(options => options.PayloadSerializerOptions = new JsonSerializerOptions(ApiJson.Options));
            services.AddSingleton<IUserIdProvider, SubjectUserIdProvider>();
            services.AddSingleton<HubConnectionCounter>();
            services.AddSingleton<HubConnectionLiveness>();
            services.AddSingleton<HubPresence>();
        }

        var azure = configuration[AzureSignalRConnectionSetting] is { } setting && !string.IsNullOrWhiteSpace(setting)
            ? SignalRConnectionString.Parse(setting)
            : null;
        if (azure is not null)
        {
            AddAzureSignalR(services, azure);
        }
        else if (ownHub)
        {
            services.AddSingleton<IConnectionLiveness>(sp => sp.GetRequiredService<HubConnectionLiveness>());
            services.AddSingleton<HubRealtimePublisher>();
            services.AddSingleton<IRealtimePublisher>(sp => new MeteredRealtimePublisher(sp.GetRequiredService<HubRealtimePublisher>()));
            services.AddSingleton<INegotiator, StandaloneHubNegotiator>();
        }
        else
        {
            services.AddSingleton<IRealtimePublisher, NoRealtimePublisher>();
            services.AddSingleton<INegotiator, NoNegotiator>();
            services.AddSingleton<IConnectionLiveness, NoConnectionLiveness>();
        }

        if (azure is not null || ownHub)
        {
            services.AddHostedService<PresenceSweeper>();
        }

        services.AddSingleton(new UpstreamAuthenticator(azure, UpstreamAuthOptions.From(configuration)));
        return services;
    }

    /// <summary>Events through the service's REST API, clients negotiated to it, group membership kept and healed.</summary>
    private static void AddAzureSignalR(IServiceCollection services, SignalRConnectionString connection)
    {
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
        services.AddSingleton<AzureSignalRPublisher>();
        services.AddSingleton<IRealtimePublisher>(sp => new MeteredRealtimePublisher(sp.GetRequiredService<AzureSignalRPublisher>()));
        services.AddSingleton<INegotiator, AzureSignalRNegotiator>();
        services.AddSingleton<IConnectionLiveness, SignalRConnectionLiveness>();
        services.AddHostedService<SignalRServiceStartup>();
    }
}
