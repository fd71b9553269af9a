using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;

namespace Messaging.Functions.Hosting;

/// <summary>
/// The standalone server's web client: the built <c>web/dist</c> folder served at <c>/</c> (with a
/// fallback to <c>index.html</c> for client-side paths and a strict Content-Security-Policy), or,
/// when there is no build, a page that says how to make one. Neither exists under the Functions host.
/// </summary>
public static class WebClientHost
{
    // Scripts, styles and connections from the page's own origin only; no inline code, no framing.
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The built client: <c>Web:Root</c> when configured, else <c>web/dist</c> of the repository the
    /// server runs from, else <c>wwwroot</c> next to the executable (copied there by the build).
    /// Null when there is none: the server then serves the API and <see cref="NotBuiltPage"/>.
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

    /// <summary>Maps the built client, or the page that says how to build it; returns whether there is a build.</summary>
    public static bool Map(WebApplication app)
    {
        if (ResolveRoot(app.Configuration) is not { } root)
        {
            MapNotBuiltPage(app);
            return false;
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
        return true;
    }

    private static bool IsServerPath(PathString path) =>
        path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/dev", StringComparison.OrdinalIgnoreCase);

    /// <summary>Without a build, <c>/</c> (and every client-side path) answers a page that says what to install and which command builds the client.</summary>
    private static void MapNotBuiltPage(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (IsServerPath(path) || Path.HasExtension(path.Value ?? "")
                || !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)))
            {
                await next(context);
                return;
            }

            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.ContentSecurityPolicy = NotBuiltPage.ContentSecurityPolicy;
            headers.CacheControl = "no-store";
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(NotBuiltPage.Html, context.RequestAborted);
        });
    }
}
