using System.Net;
using Messaging.Domain.Common;
using Messaging.Functions.Auth;
using Messaging.Functions.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Messaging.Functions.Hosting;

public sealed record DevTokenRequest(string UserId, string? Name = null);

public sealed record DevTokenResponse(string Token, string UserId, string? Name, DateTimeOffset ExpiresAt);

/// <summary>Whether development sign-in is on, and why (the reason names a setting or an address, never a secret).</summary>
public sealed record DevelopmentSignInDecision(bool IsOn, string Reason);

/// <summary>
/// Development sign-in (<c>POST /dev/token</c>: a token for any user id, no password). It is on
/// exactly when the standalone server runs on its own generated development key and listens on
/// loopback addresses only; it is off whenever a signing key or an authority is configured, under
/// the Functions host, on Azure App Service, and as soon as any listening address is not loopback.
/// See docs/decisions/0009-first-run-and-development-sign-in.md.
/// </summary>
public sealed class DevelopmentSignIn
{
    public const string TokenPath = "/dev/token";
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(12);

    /// <summary>Off until the server has bound its addresses (<see cref="Decide"/> needs them).</summary>
    public DevelopmentSignInDecision Decision { get; set; } = new(false, "the server has not started listening");

    /// <param name="host">Which host runs.</param>
    /// <param name="auth">The <c>Auth__*</c> settings.</param>
    /// <param name="listeningAddresses">The addresses the server is bound to, as Kestrel reports them (<c>http://127.0.0.1:7071</c>).</param>
    /// <param name="onAppService">Whether the process runs on Azure App Service (<c>WEBSITE_SITE_NAME</c> is set), where a platform proxy forwards public traffic to loopback.</param>
    public static DevelopmentSignInDecision Decide(MessagingHost host, AuthOptions auth, IReadOnlyCollection<string> listeningAddresses, bool onAppService)
    {
        if (host != MessagingHost.Standalone)
        {
            return new(false, "the Functions host never offers it");
        }

        if (!string.IsNullOrWhiteSpace(auth.SigningKey))
        {
            return new(false, "Auth__SigningKey is configured");
        }

        if (!string.IsNullOrWhiteSpace(auth.Authority))
        {
            return new(false, "Auth__Authority is configured");
        }

        if (onAppService)
        {
            return new(false, "the server runs on Azure App Service");
        }

        if (listeningAddresses.Count == 0)
        {
            return new(false, "the server listens on no address");
        }

        if (listeningAddresses.FirstOrDefault(address => !IsLoopback(address)) is { } exposed)
        {
            return new(false, $"the server listens on {exposed}, which is not loopback only");
        }

        return new(true, "generated development key, loopback only");
    }

    /// <summary><c>localhost</c> or a loopback IP; wildcards (<c>*</c>, <c>+</c>, <c>0.0.0.0</c>, <c>[::]</c>), host names, pipes and Unix sockets are not.</summary>
    public static bool IsLoopback(string address)
    {
        BindingAddress binding;
        try
        {
            binding = BindingAddress.Parse(address);
        }
        catch (FormatException)
        {
            return false;
        }

        if (binding.IsUnixPipe || binding.IsNamedPipe)
        {
            return false;
        }

        var host = binding.Host.Trim('[', ']');
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }

    /// <summary>
    /// The endpoint is always mapped on the standalone server and answers <c>404</c> while the
    /// decision is off: the decision needs the bound addresses, known only once the server listens.
    /// The page asks with <c>GET</c> whether it may offer sign-in by name (<c>204</c> when on).
    /// </summary>
    public void Map(WebApplication app)
    {
        var auth = MessagingServices.Auth(app.Configuration);
        var dataPath = MessagingServices.DataPath(app.Configuration);
        app.MapGet(TokenPath, () => Decision.IsOn ? Results.NoContent() : Results.NotFound());
        app.MapPost(TokenPath, async (HttpRequest request, CancellationToken cancellationToken) =>
        {
            if (!Decision.IsOn)
            {
                return Results.NotFound();
            }

            var body = await RequestBody.ReadAsync<DevTokenRequest>(request, cancellationToken);
            if (!body.IsSuccess)
            {
                return ApiResults.Problem(body.Error);
            }

            var userId = body.Value.UserId?.Trim();
            if (!Ids.IsWellFormed(userId) || userId!.Any(char.IsWhiteSpace))
            {
                return ApiResults.Problem(Error.Invalid("userId", "The user id must be 1–128 characters without spaces or control characters."));
            }

            var name = string.IsNullOrWhiteSpace(body.Value.Name) ? null : body.Value.Name.Trim();
            if (name is { Length: > 100 } || (name?.Any(char.IsControl) ?? false))
            {
                return ApiResults.Problem(Error.Invalid("name", "The display name must be at most 100 characters without control characters."));
            }

            var token = TokenIssuer.Issue(auth, dataPath, userId!, name, TokenLifetime);
            return ApiResults.Ok(new DevTokenResponse(token, userId!, name, DateTimeOffset.UtcNow + TokenLifetime));
        });
    }
}
