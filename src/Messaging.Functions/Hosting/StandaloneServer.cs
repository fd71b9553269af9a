using System.Reflection;
using Messaging.Functions.Auth;
using Messaging.Functions.Diagnostics;
using Messaging.Functions.Http;
using Messaging.Functions.Realtime;
using Messaging.Functions.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Messaging.Functions.Hosting;

/// <summary>
/// The standalone server: the same functions, mapped from their <c>[HttpTrigger]</c> routes onto
/// ASP.NET Core, with the embedded store. No Functions host, no Azure account.
/// </summary>
public static class StandaloneServer
{
    public const string DefaultUrl = "http://localhost:7071";

    /// <summary>The category of the generic host's own records (start and stop failures, background service faults).</summary>
    public const string HostLogCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    public static async Task RunAsync(string[] args)
    {
        await using var app = Build(args);
        await app.RunAsync();
    }

    /// <param name="args">The command line.</param>
    /// <param name="configure">More configuration sources (tests).</param>
    /// <param name="telemetry">More telemetry exporters (tests): see <see cref="Telemetry.AddMessagingTelemetry"/>.</param>
    /// <param name="services">Replaces registered services after the messaging services (tests: a store double).</param>
    public static WebApplication Build(
        string[] args, Action<IConfigurationBuilder>? configure = null, Action<OpenTelemetry.IOpenTelemetryBuilder>? telemetry = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        ConfigureSources(builder.Configuration, args);
        configure?.Invoke(builder.Configuration);
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Uploads raise their own limit per request; everything else stays small.
            kestrel.Limits.MaxRequestBodySize = 2 * 1024 * 1024;
            kestrel.AddServerHeader = false;
        });
        StartupChecks.Run(builder.Configuration, MessagingHost.Standalone);
        AddMessagingWithDataFolder(builder.Services, builder.Configuration);
        services?.Invoke(builder.Services);
        var signIn = new DevelopmentSignIn();
        builder.Services.AddSingleton(signIn);

        // A startup mistake (a port in use) is told in one line by StartupFailures; the host's
        // "Hosting failed to start" record would repeat it with a stack trace on the console. Faults
        // of background services stay visible: the host logs them as Critical (it stops on them).
        builder.Logging.AddFilter<ConsoleLoggerProvider>(HostLogCategory, LogLevel.Critical);

        // ASP.NET Core's request log lines carry the full URL, and with it the hub's access_token
        // query parameter (WebSockets cannot send headers): no token may reach any log.
        builder.Logging.AddFilter(Telemetry.RequestLogCategory, LogLevel.Warning);
        builder.Services.AddMessagingTelemetry(builder.Configuration, MessagingHost.Standalone, telemetry);

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Messaging.Standalone");
        if (SigningKeys.IsDevelopmentMode(MessagingServices.Auth(app.Configuration)))
        {
            Log.DevelopmentAuth(logger, MessagingServices.DataPath(app.Configuration));
        }

        if (app.Services.GetService<SqliteDatabase>() is { } embedded)
        {
            Log.EmbeddedStore(logger, embedded.DatabasePath);
        }

        var webClientBuilt = WebClientHost.Map(app);
        signIn.Map(app);
        app.Lifetime.ApplicationStarted.Register(() => AnnounceReady(app, signIn, webClientBuilt, logger));
        MapFunctions(app);
        MapHub(app);
        return app;
    }

    /// <summary>
    /// Once the server listens: decides development sign-in from the addresses it really bound
    /// (whatever configured them: --urls, ASPNETCORE_URLS, Kestrel endpoints) and says where to go.
    /// </summary>
    private static void AnnounceReady(WebApplication app, DevelopmentSignIn signIn, bool webClientBuilt, ILogger logger)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];
        signIn.Decision = DevelopmentSignIn.Decide(
            MessagingHost.Standalone,
            MessagingServices.Auth(app.Configuration),
            addresses,
            onAppService: !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WEBSITE_SITE_NAME")));
        if (!webClientBuilt)
        {
            Log.WebClientNotBuilt(logger);
        }

        Log.Ready(logger, UrlToOpen(addresses), signIn.Decision.IsOn ? "on" : "off", signIn.Decision.Reason);
    }

    /// <summary>The address a person opens: a localhost one when there is, with a wildcard host shown as localhost.</summary>
    public static string UrlToOpen(IReadOnlyCollection<string> addresses)
    {
        var address = addresses.FirstOrDefault(a => a.Contains("://localhost", StringComparison.OrdinalIgnoreCase))
            ?? addresses.FirstOrDefault(DevelopmentSignIn.IsLoopback)
            ?? addresses.FirstOrDefault()
            ?? DefaultUrl;
        var binding = BindingAddress.Parse(address);
        var host = binding.Host is "*" or "+" or "0.0.0.0" or "[::]" ? "localhost" : binding.Host;
        return $"{binding.Scheme}://{host}:{binding.Port}/";
    }

    /// <summary>Files of the data folder this user may not read or write surface while the services are built: one line, not a stack trace.</summary>
    private static void AddMessagingWithDataFolder(IServiceCollection services, IConfiguration configuration)
    {
        try
        {
            services.AddMessaging(configuration, MessagingHost.Standalone);
        }
        catch (UnauthorizedAccessException exception)
        {
            throw new StartupException(
                $"The data folder {MessagingServices.DataPath(configuration)} ({StartupChecks.DataPathSetting}) cannot be used: {exception.Message} Choose a folder this user can read and write.",
                exception);
        }
    }

    /// <summary>Configuration as in the Functions host: local.settings.json Values, then environment variables, then the command line.</summary>
    public static void ConfigureSources(IConfigurationManager configuration, string[] args)
    {
        configuration.Sources.Clear();
        configuration.AddLocalSettings(Directory.GetCurrentDirectory(), AppContext.BaseDirectory);
        configuration.AddEnvironmentVariables();
        configuration.AddCommandLine(args);
    }

    /// <summary>The hub passes the same gate as the API, the token also from the query string where WebSockets cannot send headers.</summary>
    private static void MapHub(WebApplication app)
    {
        var gate = app.Services.GetRequiredService<AuthGate>();
        app.UseWebSockets();
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments(MessagingHub.Path, StringComparison.OrdinalIgnoreCase),
            hub => hub.Use((context, next) => gate.InvokeAsync(context, allowsAnonymous: false, acceptsQueryToken: true, () =>
            {
                MessagingHub.CloseAfterNegotiate(context);
                return next(context);
            })));
        app.UseRouting();
        app.MapHub<MessagingHub>(MessagingHub.Path);
    }

    private static void MapFunctions(WebApplication app)
    {
        var pipeline = app.Services.GetRequiredService<ApiPipeline>();
        foreach (var route in FunctionRouteTable.All)
        {
            var invoke = CreateInvoker(route);
            app.MapMethods($"/{FunctionRouteTable.RoutePrefix}/{route.Route}", route.Methods, context =>
                pipeline.InvokeAsync(context, route.AllowsAnonymous, async () =>
                {
                    var result = await invoke(context);
                    await result.ExecuteAsync(context);
                }))
                .WithDisplayName(route.Name);
        }
    }

    /// <summary>Binds a function's parameters as the Functions host does: the request, route values by name, the cancellation token.</summary>
    private static Func<HttpContext, Task<IResult>> CreateInvoker(FunctionRoute route)
    {
        var method = route.Method;
        var parameters = method.GetParameters();
        foreach (var parameter in parameters)
        {
            if (parameter.ParameterType != typeof(HttpRequest) && parameter.ParameterType != typeof(string) && parameter.ParameterType != typeof(CancellationToken))
            {
                throw new InvalidOperationException($"Function {route.Name} takes a {parameter.ParameterType.Name}; the standalone server binds only HttpRequest, route strings and CancellationToken.");
            }
        }

        return async context =>
        {
            var target = method.IsStatic ? null : context.RequestServices.GetRequiredService(method.DeclaringType!);
            var arguments = parameters.Select(p =>
                p.ParameterType == typeof(HttpRequest) ? context.Request
                : p.ParameterType == typeof(CancellationToken) ? context.RequestAborted
                : (object?)context.GetRouteValue(p.Name!)?.ToString()).ToArray();
            try
            {
                return method.Invoke(target, arguments) switch
                {
                    Task<IResult> pending => await pending,
                    IResult result => result,
                    var other => throw new InvalidOperationException($"Function {route.Name} returned {other?.GetType().Name ?? "null"}, not an IResult."),
                };
            }
            catch (TargetInvocationException exception) when (exception.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(exception.InnerException).Throw();
                throw;
            }
        };
    }
}
