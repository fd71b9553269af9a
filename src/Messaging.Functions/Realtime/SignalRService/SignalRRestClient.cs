using System.Net;
using System.Net.Http.Headers;
using Messaging.Functions.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Realtime.SignalRService;

/// <summary>A data-plane call that failed for good (after the retries of a transient failure).</summary>
public sealed class SignalRServiceException(string message, HttpStatusCode? status, Exception? inner = null) : Exception(message, inner)
{
    public HttpStatusCode? Status { get; } = status;
}

/// <summary>
/// Calls the Azure SignalR Service data-plane REST API: one bearer token per request (see
/// <see cref="SignalRTokens"/>), transient failures (network, timeout, 408, 429, 5xx) retried with a
/// short backoff, failures logged with the method, path and status — never the key or a token.
/// </summary>
public sealed class SignalRRestClient(SignalRConnectionString connection, SignalRTokens tokens, IHttpClientFactory httpClients, ILogger<SignalRRestClient> logger)
{
    public const string HttpClientName = "AzureSignalR";

    /// <summary>The one hub of the service (docs/api.md): <c>messaging</c>.</summary>
    public const string Hub = "messaging";

    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan[] DefaultBackoff = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(1)];
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(5);
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    public SignalRConnectionString Connection => connection;

    /// <summary>The waits between attempts of a transient failure; one attempt more than there are waits.</summary>
    public IReadOnlyList<TimeSpan> Backoff { get; init; } = DefaultBackoff;

    /// <summary>One path segment, escaped (user ids and group names are opaque strings).</summary>
    public static string Segment(string value) => Uri.EscapeDataString(value);

    /// <summary>
    /// Sends <paramref name="method"/> to <paramref name="path"/> (escaped, starting with '/') with an
    /// optional query (not part of the token audience) and JSON body; returns the response body.
    /// </summary>
    public async Task<byte[]> SendAsync(HttpMethod method, string path, string? query, ReadOnlyMemory<byte>? body, CancellationToken cancellationToken)
    {
        var url = connection.BaseUrl + path + (string.IsNullOrEmpty(query) ? "" : "?" + query);
        var audience = connection.AudienceBaseUrl + path.TrimEnd('/');
        var client = httpClients.CreateClient(HttpClientName);
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, url);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.ForRequestAsync(audience, cancellationToken));
            if (body is { } content)
            {
                request.Content = new ReadOnlyMemoryContent(content);
                request.Content.Headers.ContentType = Json;
            }

            HttpResponseMessage response;
            try
            {
                response = await client.SendAsync(request, cancellationToken);
            }
            catch (Exception exception) when (exception is HttpRequestException || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                if (attempt < Backoff.Count)
                {
                    Log.SignalRRetrying(logger, method.Method, path, exception.GetType().Name, attempt + 1);
                    await Task.Delay(Backoff[attempt], cancellationToken);
                    continue;
                }

                Log.SignalRRequestFailed(logger, exception, method.Method, path, "no response", attempt + 1);
                throw new SignalRServiceException($"Azure SignalR Service did not answer {method} {path}.", null, exception);
            }

            using (response)
            {
                if (response.IsSuccessStatusCode)
                {
                    return await response.Content.ReadAsByteArrayAsync(cancellationToken);
                }

                var status = (int)response.StatusCode;
                var transient = status is 408 or 429 or >= 500;
                if (transient && attempt < Backoff.Count)
                {
                    Log.SignalRRetrying(logger, method.Method, path, status.ToString(System.Globalization.CultureInfo.InvariantCulture), attempt + 1);
                    await Task.Delay(RetryDelay(response, attempt), cancellationToken);
                    continue;
                }

                Log.SignalRRequestFailed(logger, null, method.Method, path, $"{status} {response.ReasonPhrase}", attempt + 1);
                throw new SignalRServiceException($"Azure SignalR Service answered {status} to {method} {path}.", response.StatusCode);
            }
        }
    }

    private TimeSpan RetryDelay(HttpResponseMessage response, int attempt)
    {
        var retryAfter = response.Headers.RetryAfter;
        var wait = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : Backoff[attempt]);
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxRetryAfter ? MaxRetryAfter : wait;
    }
}
