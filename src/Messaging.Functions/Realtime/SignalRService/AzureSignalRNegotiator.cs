using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Messaging.Functions.Realtime.SignalRService;

/// <summary>
/// Sends the client to Azure SignalR Service: <c>{ url: "&lt;endpoint&gt;/client/?hub=messaging", accessToken }</c>.
/// With an access key the token is minted here (HS256, <c>aud</c> = the client URL without port,
/// <c>nameid</c> = the user, one hour); with a managed identity the service mints it through its
/// REST API (<c>POST /api/hubs/{hub}/:generateToken</c>, api-version 2022-11-01).
/// </summary>
public sealed class AzureSignalRNegotiator(SignalRRestClient rest, SignalRTokens tokens) : INegotiator
{
    public const string GenerateTokenApiVersion = "2022-11-01";
    public static readonly TimeSpan ClientTokenLifetime = TimeSpan.FromHours(1);

    private const string ClientPath = $"/client/?hub={SignalRRestClient.Hub}";

    /// <summary>Where clients connect.</summary>
    public string ClientUrl => rest.Connection.BaseUrl + ClientPath;

    /// <summary>The client token's audience: the client URL without the port (as the service and its SDK build it).</summary>
    public string ClientAudience => rest.Connection.AudienceBaseUrl + ClientPath;

    public async Task<NegotiateResponse?> NegotiateAsync(HttpRequest request, string userId, CancellationToken cancellationToken)
    {
        if (tokens.UsesAccessKey)
        {
            return new NegotiateResponse(ClientUrl, tokens.ForClient(ClientAudience, userId, ClientTokenLifetime));
        }

        var query = string.Create(CultureInfo.InvariantCulture,
            $"api-version={GenerateTokenApiVersion}&userId={Uri.EscapeDataString(userId)}&minutesToExpire={(int)ClientTokenLifetime.TotalMinutes}");
        var body = await rest.SendAsync(HttpMethod.Post, $"/api/hubs/{SignalRRestClient.Hub}/:generateToken", query, null, cancellationToken);
        using var answer = JsonDocument.Parse(body);
        var token = answer.RootElement.TryGetProperty("token", out var value) ? value.GetString() : null;
        return string.IsNullOrEmpty(token)
            ? throw new SignalRServiceException("Azure SignalR Service answered generateToken without a token.", null)
            : new NegotiateResponse(ClientUrl, token);
    }
}
