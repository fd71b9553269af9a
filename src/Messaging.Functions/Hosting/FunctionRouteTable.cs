using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Azure.Functions.Worker;

namespace Messaging.Functions.Hosting;

/// <summary>One HTTP function: its name, methods, route (without the <c>/api</c> prefix) and method.</summary>
public sealed record FunctionRoute(string Name, IReadOnlyList<string> Methods, string Route, MethodInfo Method, bool AllowsAnonymous)
{
    public string EntryPoint => $"{Method.DeclaringType!.FullName}.{Method.Name}";
}

/// <summary>
/// The route table, read from the <c>[Function]</c> and <c>[HttpTrigger]</c> attributes: the only
/// place routes are written. The Functions host reads the same attributes through <c>functions.metadata</c>.
/// </summary>
public static class FunctionRouteTable
{
    public const string RoutePrefix = "api";

    private static readonly Lazy<IReadOnlyList<FunctionRoute>> Routes = new(Discover);
    private static readonly Lazy<Dictionary<string, FunctionRoute>> ByEntryPoint =
        new(() => Routes.Value.ToDictionary(r => r.EntryPoint, StringComparer.Ordinal));

    public static IReadOnlyList<FunctionRoute> All => Routes.Value;

    public static FunctionRoute? FindByEntryPoint(string entryPoint) =>
        ByEntryPoint.Value.GetValueOrDefault(entryPoint);

    private static List<FunctionRoute> Discover()
    {
        var routes = new List<FunctionRoute>();
        foreach (var type in typeof(FunctionRouteTable).Assembly.GetTypes())
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            {
                var function = method.GetCustomAttribute<FunctionAttribute>();
                if (function is null)
                {
                    continue;
                }

                var trigger = method.GetParameters()
                    .Select(p => p.GetCustomAttribute<HttpTriggerAttribute>())
                    .FirstOrDefault(a => a is not null)
                    ?? throw new InvalidOperationException($"Function {function.Name} has no [HttpTrigger] parameter.");
                var methods = (trigger.Methods ?? ["get", "post", "put", "patch", "delete"]).Select(m => m.ToUpperInvariant()).ToList();
                var anonymous = method.GetCustomAttribute<AllowAnonymousAttribute>() is not null;
                routes.Add(new FunctionRoute(function.Name, methods, trigger.Route ?? function.Name, method, anonymous));
            }
        }

        return routes;
    }
}
