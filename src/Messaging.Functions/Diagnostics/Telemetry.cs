using System.Data.Common;
using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Messaging.Functions.Hosting;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Messaging.Functions.Diagnostics;

/// <summary>
/// Where telemetry goes, from the standard settings: <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c>
/// (Azure Monitor; with an Entra ID token when <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> says
/// <c>Authorization=AAD</c>, or when running in Azure with <c>AZURE_CLIENT_ID</c>) and
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (OTLP, with the other <c>OTEL_EXPORTER_OTLP_*</c> settings), and
/// the share of traces kept (<c>Telemetry__TraceSampleRatio</c>, 0 to 1, default 1).
/// </summary>
public sealed record TelemetrySettings(string? AzureMonitorConnectionString, bool UseEntraId, string? ManagedIdentityClientId, bool Otlp, double TraceSampleRatio = 1.0)
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";
    public const string ClientIdSetting = "AZURE_CLIENT_ID";
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string TraceSampleRatioSetting = "Telemetry:TraceSampleRatio";
    public const string DefaultServiceName = "messaging";

    public bool AzureMonitor => AzureMonitorConnectionString is not null;

    public bool Enabled => AzureMonitor || Otlp;

    public static TelemetrySettings From(IConfiguration configuration)
    {
        var connectionString = NonEmpty(configuration[ConnectionStringSetting]);
        var authentication = Parse(NonEmpty(configuration[AuthenticationStringSetting]));
        var clientId = NonEmpty(authentication.GetValueOrDefault("ClientId")) ?? NonEmpty(configuration[ClientIdSetting]);
        var runningInAzure = NonEmpty(configuration["WEBSITE_SITE_NAME"] ?? Environment.GetEnvironmentVariable("WEBSITE_SITE_NAME")) is not null;
        var entraId = string.Equals(authentication.GetValueOrDefault("Authorization"), "AAD", StringComparison.OrdinalIgnoreCase)
            || (runningInAzure && clientId is not null);
        return new TelemetrySettings(connectionString, entraId, clientId, NonEmpty(configuration[OtlpEndpointSetting]) is not null, Ratio(NonEmpty(configuration[TraceSampleRatioSetting])));
    }

    private static double Ratio(string? value)
    {
        if (value is null)
        {
            return 1.0;
        }

        return double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var ratio) && ratio is >= 0 and <= 1
            ? ratio
            : throw new InvalidOperationException("Telemetry__TraceSampleRatio must be a number from 0 to 1 (e.g. 0.1 keeps one trace in ten).");
    }

    /// <summary>The exporters, for the startup log: names only, never a connection string or an endpoint.</summary>
    public string Describe() =>
        string.Join(", ", new[] { AzureMonitor ? (UseEntraId ? "Azure Monitor (Entra ID)" : "Azure Monitor") : null, Otlp ? "OTLP" : null }.OfType<string>());

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static Dictionary<string, string> Parse(string? keyValues)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (keyValues is null)
        {
            return values;
        }

        var builder = new DbConnectionStringBuilder { ConnectionString = keyValues };
        foreach (string key in builder.Keys)
        {
            values[key] = builder[key]?.ToString() ?? "";
        }

        return values;
    }
}

/// <summary>
/// OpenTelemetry for both hosts: traces (incoming HTTP, outgoing HTTP such as the Azure SignalR
/// Service REST calls, Cosmos DB and Blob storage through the Azure SDK sources, the publication of
/// each change), metrics (<see cref="MessagingMetrics"/>, ASP.NET Core, HttpClient) and logs, to the
/// exporters of <see cref="TelemetrySettings"/>. With no exporter configured nothing is registered
/// (no listener, no cost).
/// </summary>
public static partial class Telemetry
{
    /// <summary>Azure SDK activity sources (Blob storage, Azure.Core HTTP, Cosmos DB's <c>Azure.Cosmos.Operation</c>).</summary>
    public const string AzureSdkSources = "Azure.*";

    /// <summary>ASP.NET Core's request logs (with query strings): kept out of the exported logs.</summary>
    public const string RequestLogCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <param name="services">The host's services.</param>
    /// <param name="configuration">The host's configuration.</param>
    /// <param name="host">The Functions host also gets the worker's invocation spans and resource, and stops exporting worker logs itself.</param>
    /// <param name="additionalExporters">More exporters (tests: in-memory); they turn telemetry on like a setting does.</param>
    public static IServiceCollection AddMessagingTelemetry(
        this IServiceCollection services, IConfiguration configuration, MessagingHost host = MessagingHost.Standalone, Action<IOpenTelemetryBuilder>? additionalExporters = null)
    {
        var settings = TelemetrySettings.From(configuration);
        if (!settings.Enabled && additionalExporters is null)
        {
            return services;
        }

        // The Azure SDK (Blob storage, Cosmos DB) creates activities only with this switch on.
        AppContext.SetSwitch("Azure.Experimental.EnableActivitySource", true);

        var builder = services.AddOpenTelemetry();
        if (host == MessagingHost.Functions)
        {
            builder.UseFunctionsWorkerDefaults();
        }
        else if (string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"]))
        {
            builder.ConfigureResource(resource => resource.AddService(TelemetrySettings.DefaultServiceName));
        }

        builder
            .WithTracing(tracing => tracing
                .SetSampler(Sampler(settings.TraceSampleRatio))
                .AddSource(MessagingMetrics.ActivitySourceName)
                .AddSource(AzureSdkSources)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation(options =>
                    // The Azure SDK has its own span around each HTTP call: no second one for the same request.
                    options.FilterHttpRequestMessage = _ => System.Diagnostics.Activity.Current?.Parent?.Source.Name != "Azure.Core.Http"))
            .WithMetrics(metrics => metrics
                .AddMeter(MessagingMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation())
            .WithLogging(_ => { }, options => options.IncludeFormattedMessage = true);

        // ASP.NET Core's "Request starting/finished" records carry the full URL, and the hub's
        // access_token query parameter with it: not exported (the request spans say the same, redacted).
        services.AddLogging(logging => logging.AddFilter<OpenTelemetryLoggerProvider>(RequestLogCategory, LogLevel.Warning));

        if (settings.AzureMonitor)
        {
            builder.UseAzureMonitorExporter(options =>
            {
                options.ConnectionString = settings.AzureMonitorConnectionString;
                if (settings.UseEntraId)
                {
                    options.Credential = Credential(settings);
                }
            });
        }

        if (settings.Otlp)
        {
            // Endpoint, protocol, headers: the standard OTEL_EXPORTER_OTLP_* settings.
            builder.UseOtlpExporter();
        }

        additionalExporters?.Invoke(builder);
        services.AddSingleton(settings);
        services.AddHostedService<TelemetryStartup>();
        return services;
    }

    /// <summary>
    /// Keeps <paramref name="ratio"/> of the traces, decided on the trace id so that every span of a
    /// kept trace is kept. A remote parent's "sampled" flag does not override it: the Functions host
    /// marks every invocation sampled (it does not sample in OpenTelemetry mode, and host.json's
    /// samplingSettings apply only to its Application Insights SDK mode), so deferring to it would keep everything.
    /// </summary>
    public static Sampler Sampler(double ratio)
    {
        var byTraceId = new TraceIdRatioBasedSampler(ratio);
        return new ParentBasedSampler(byTraceId, remoteParentSampled: byTraceId, remoteParentNotSampled: byTraceId);
    }

    /// <summary>The user-assigned identity (<c>AZURE_CLIENT_ID</c>) in Azure; the developer's sign-in elsewhere.</summary>
    public static TokenCredential Credential(TelemetrySettings settings) =>
        new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = settings.ManagedIdentityClientId });

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Telemetry: traces, metrics and logs exported to {Exporters}")]
    private static partial void Exporting(ILogger logger, string exporters);

    /// <summary>Says where telemetry goes, once, at startup.</summary>
    private sealed class TelemetryStartup(TelemetrySettings settings, ILogger<TelemetryStartup> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (settings.Enabled)
            {
                Exporting(logger, settings.Describe());
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
