using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Messaging.Functions.Http;

/// <summary>
/// CORS for browser clients on other origins, applied by the app itself in both hosts (the Flex
/// Consumption plan has no platform CORS). Origins come from <c>Cors__AllowedOrigins</c>.
/// </summary>
public sealed class CorsPolicy(IEnumerable<string> allowedOrigins)
{
    private const string AllowedHeaders = "Authorization, Content-Type, X-Requested-With, X-SignalR-User-Agent";
    private const string AllowedMethods = "GET, POST, PATCH, DELETE, OPTIONS";
    private readonly HashSet<string> _origins = new(
        allowedOrigins.Select(o => o.Trim().TrimEnd('/')).Where(o => o.Length > 0), StringComparer.OrdinalIgnoreCase);

    public static CorsPolicy FromSetting(string? setting) =>
        new((setting ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    public static bool IsPreflight(HttpRequest request) =>
        HttpMethods.IsOptions(request.Method) && request.Headers.ContainsKey("Access-Control-Request-Method");

    /// <summary>Adds the CORS response headers when the request comes from an allowed origin.</summary>
    public void Apply(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length == 0 || !(_origins.Contains("*") || _origins.Contains(origin)))
        {
            return;
        }

        var headers = context.Response.Headers;
        headers.AccessControlAllowOrigin = origin;
        headers.AccessControlAllowCredentials = "true";
        headers.Vary = StringValues.Concat(headers.Vary, "Origin");
        headers.AccessControlExposeHeaders = "Location, Retry-After, WWW-Authenticate";
        if (IsPreflight(context.Request))
        {
            headers.AccessControlAllowMethods = AllowedMethods;
            headers.AccessControlAllowHeaders = AllowedHeaders;
            headers.AccessControlMaxAge = "600";
        }
    }
}
