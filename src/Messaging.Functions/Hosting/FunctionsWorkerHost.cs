using Messaging.Domain.Realtime;
using Messaging.Functions.Diagnostics;
using Messaging.Functions.Http;
using Messaging.Functions.Realtime;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Hosting;

/// <summary>The Azure Functions isolated worker, started by the Functions host.</summary>
public static class FunctionsWorkerHost
{
    /// <summary>The host starts the worker with its gRPC endpoint on the command line or in the environment.</summary>
    public static bool IsStartedByFunctionsHost(string[] args) =>
        args.Any(a => a is "--functions-uri" or "--functions-worker-id" or "--workerId" or "--host")
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("Functions__Worker__HostEndpoint"))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("FUNCTIONS_WORKER_DIRECTORY"));

    public static void Run(string[] args)
    {
        var builder = FunctionsApplication.CreateBuilder(args);
        builder.ConfigureFunctionsWebApplication();
        builder.UseMiddleware<PipelineMiddleware>();
        StartupChecks.Run(builder.Configuration, MessagingHost.Functions);
        builder.Services.AddMessaging(builder.Configuration, MessagingHost.Functions);
        builder.Services.AddMessagingTelemetry(builder.Configuration, MessagingHost.Functions);
        var host = builder.Build();
        if (host.Services.GetService<IRealtimePublisher>() is NoRealtimePublisher)
        {
            Log.RealtimeDisabled(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Messaging.Functions"));
        }

        host.Run();
    }

    /// <summary>Runs the shared <see cref="ApiPipeline"/> around every function invocation.</summary>
    private sealed class PipelineMiddleware(ApiPipeline pipeline) : IFunctionsWorkerMiddleware
    {
        public Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
        {
            var httpContext = context.GetHttpContext();
            if (httpContext is null)
            {
                return next(context);
            }

            var route = FunctionRouteTable.FindByEntryPoint(context.FunctionDefinition.EntryPoint);
            return pipeline.InvokeAsync(httpContext, route?.AllowsAnonymous ?? false, () => next(context));
        }
    }
}
