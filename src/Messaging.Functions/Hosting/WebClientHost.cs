using Messaging.Domain.Common;
using Messaging.Functions.Auth;
using Messaging.Functions.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace Messaging.Functions.Hosting;

public sealed record DevTokenRequest(string UserId, string? Name = null);

public sealed record DevTokenResponse(string Token, string UserId, string? Name, DateTimeOffset ExpiresAt);

/// <summary>
/// The standalone server's web client: the built <c>web/dist</c> folder served at <c>/</c> (with a
/// fallback to <c>index.html</c> for client-side paths and a strict Content-Security-Policy), and
/// the development sign-in endpoint. Neither exists under the Functions host.
/// </summary>
public static class WebClientHost
{
    public const string DevTokenPath = "/dev/token";
    public static readonly TimeSpan DevTokenLifetime = TimeSpan.FromHours(12);

    // Scripts, styles and connections from the page's own origin only; no inline code, no framing.
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The built client: <c>Web:Root</c> when configured, else <c>web/dist</c> of the repository the
    /// server runs from, else <c>wwwroot</c> next to the executable (copied there by the build).
    /// Null when there is none: the server then serves the API only.
    /// </summary>
    public static string? ResolveRoot(IConfiguration configuration)
    {
        if (configuration["Web:Root"] is { Length: > 0 } configured)
        {
            return File.Exists(Path.Combine(configured, "index.html")) ? Path.GetFullPath(configured) : null;
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Messaging.sln")))
            {
                var dist = Path.Combine(directory.FullName, "web", "dist");
                if (File.Exists(Path.Combine(dist, "index.html")))
                {
                    return dist;
                }

                break;
            }
        }

        var wwwroot = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        return File.Exists(Path.Combine(wwwroot, "index.html")) ? wwwroot : null;
    }

    /// <summary>
    /// Development sign-in is on only in the Development environment, with a configured
    /// <c>Auth:SigningKey</c>, and never on Azure (App Service / Functions set <c>WEBSITE_SITE_NAME</c>).
    /// </summary>
    public static bool DevSignInEnabled(IHostEnvironment environment, IConfiguration configuration) =>
        environment.IsDevelopment()
        && !string.IsNullOrWhiteSpace(configuration["Auth:SigningKey"])
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WEBSITE_SITE_NAME"));

    public static void Map(WebApplication app)
    {
        if (DevSignInEnabled(app.Environment, app.Configuration))
        {
            MapDevSignIn(app);
        }

        if (ResolveRoot(app.Configuration) is not { } root)
        {
            return;
        }

        var files = new PhysicalFileProvider(root);
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (IsServerPath(path))
            {
                await next(context);
                return;
            }

            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";

            // Client-side paths (no file extension) get the page itself.
            if ((HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
                && !Path.HasExtension(path.Value ?? ""))
            {
                context.Request.Path = "/index.html";
            }

            headers.CacheControl = context.Request.Path.StartsWithSegments("/assets") ? "public, max-age=31536000, immutable" : "no-cache";
            await next(context);
        });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
    }

    private static bool IsServerPath(PathString path) =>
        path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/dev", StringComparison.OrdinalIgnoreCase);

    private static void MapDevSignIn(WebApplication app)
    {
        var auth = MessagingServices.Auth(app.Configuration);
        var dataPath = MessagingServices.DataPath(app.Configuration);

        // The page asks whether it may offer sign-in by name: 204 here, 404 where it is off.
        app.MapGet(DevTokenPath, () => Results.NoContent());
        app.MapPost(DevTokenPath, async (HttpRequest request, CancellationToken cancellationToken) =>
        {
            var body = await RequestBody.ReadAsync<DevTokenRequest>(request, cancellationToken);
            if (!body.IsSuccess)
            {
                return ApiResults.Problem(body.Error!);
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

            var token = TokenIssuer.Issue(auth, dataPath, userId!, name, DevTokenLifetime);
            return ApiResults.Ok(new DevTokenResponse(token, userId!, name, DateTimeOffset.UtcNow + DevTokenLifetime));
        });
    }
}
