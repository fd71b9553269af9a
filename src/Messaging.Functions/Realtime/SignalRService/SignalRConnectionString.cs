using System.Globalization;

namespace Messaging.Functions.Realtime.SignalRService;

/// <summary>How the app authenticates to Azure SignalR Service.</summary>
public enum SignalRAuthType
{
    /// <summary><c>AccessKey=…</c>: HS256 tokens signed with the key.</summary>
    AccessKey,

    /// <summary><c>AuthType=azure.msi</c>: Microsoft Entra tokens of a managed identity.</summary>
    ManagedIdentity,
}

/// <summary>
/// An Azure SignalR Service connection string: <c>Endpoint=https://x.service.signalr.net;AccessKey=…;Version=1.0;</c>
/// (optionally <c>Port=</c>) or <c>Endpoint=…;AuthType=azure.msi;ClientId=…;Version=1.0;</c>.
/// <see cref="ToString"/> never shows the key.
/// </summary>
public sealed class SignalRConnectionString
{
    private SignalRConnectionString(Uri endpoint, SignalRAuthType authType, string? accessKey, string? clientId)
    {
        Endpoint = endpoint;
        AuthType = authType;
        AccessKey = accessKey;
        ClientId = clientId;
    }

    /// <summary>Scheme, host and (with <c>Port=</c> or a port in the endpoint) port; no path.</summary>
    public Uri Endpoint { get; }

    public SignalRAuthType AuthType { get; }

    /// <summary>The access key (null with a managed identity).</summary>
    public string? AccessKey { get; }

    /// <summary>The user-assigned managed identity's client id (null: system-assigned or key).</summary>
    public string? ClientId { get; }

    /// <summary>Where requests go: <c>scheme://host[:port]</c>, no trailing slash.</summary>
    public string BaseUrl => Endpoint.GetLeftPart(UriPartial.Authority);

    /// <summary>
    /// The base of token audiences: <c>scheme://host</c> without the port. The service compares the
    /// <c>aud</c> claim with the request URL without port, query or trailing slash (as the
    /// Microsoft.Azure.SignalR SDK builds it: <c>{scheme}://{host}/…</c>).
    /// </summary>
    public string AudienceBaseUrl => $"{Endpoint.Scheme}://{Endpoint.Host}";

    public static SignalRConnectionString Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Only the first '=' separates: base64 keys end with '='.
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                // Never echo the part: it may be a key pasted in the wrong place.
                throw new FormatException("AzureSignalRConnectionString: every part must be a key=value pair.");
            }

            values[part[..equals].Trim()] = part[(equals + 1)..].Trim();
        }

        if (!values.TryGetValue("Endpoint", out var endpointText) || !Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint)
            || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp))
        {
            throw new FormatException("AzureSignalRConnectionString: Endpoint must be an absolute http(s) URL.");
        }

        if (values.TryGetValue("Version", out var version) && version is not ("1.0" or ""))
        {
            throw new FormatException($"AzureSignalRConnectionString: Version {version} is not supported (1.0 is).");
        }

        var builder = new UriBuilder(endpoint.Scheme, endpoint.Host, endpoint.Port);
        if (values.TryGetValue("Port", out var portText) && portText.Length > 0)
        {
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                throw new FormatException("AzureSignalRConnectionString: Port must be a number between 1 and 65535.");
            }

            builder.Port = port;
        }

        values.TryGetValue("AccessKey", out var accessKey);
        values.TryGetValue("ClientId", out var clientId);
        values.TryGetValue("AuthType", out var authType);
        var type = authType switch
        {
            null or "" => SignalRAuthType.AccessKey,
            _ when authType.Equals("azure.msi", StringComparison.OrdinalIgnoreCase) => SignalRAuthType.ManagedIdentity,
            _ => throw new FormatException($"AzureSignalRConnectionString: AuthType {authType} is not supported (an AccessKey, or AuthType=azure.msi)."),
        };

        if (type == SignalRAuthType.AccessKey && string.IsNullOrEmpty(accessKey))
        {
            throw new FormatException("AzureSignalRConnectionString: AccessKey is required unless AuthType=azure.msi.");
        }

        return new SignalRConnectionString(
            builder.Uri,
            type,
            type == SignalRAuthType.AccessKey ? accessKey : null,
            string.IsNullOrEmpty(clientId) ? null : clientId);
    }

    public override string ToString() => $"Endpoint={BaseUrl};AuthType={AuthType}";
}
