using Messaging.Functions.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Realtime.SignalRService;

/// <summary>Says at start which SignalR Service is used, and warns when its upstream calls cannot be authenticated.</summary>
internal sealed class SignalRServiceStartup(SignalRConnectionString connection, UpstreamAuthenticator upstream, ILogger<SignalRServiceStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Log.SignalRServiceConfigured(logger, connection.BaseUrl, connection.AuthType.ToString());
        if (!upstream.CanAuthenticate)
        {
            Log.UpstreamAuthNotConfigured(logger, $"{UpstreamAuthOptions.ResourceSetting} with {UpstreamAuthOptions.TenantSetting} and {UpstreamAuthOptions.CallerSetting} (SignalR Service's own identity, not the app's)");
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
