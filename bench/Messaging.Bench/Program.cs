using System.Diagnostics;
using Messaging.Bench;

if (args.Length > 0 && args[0] == "floor-server")
{
    return await FloorServer.RunAsync(args);
}

var scenarios = new Dictionary<string, Func<BenchOptions, Task<ScenarioResult>>>(StringComparer.OrdinalIgnoreCase)
{
    ["s1"] = LatencyScenario.RunAsync,
    ["s1r"] = ReactionScenario.RunAsync,
    ["s4"] = HistoryScenario.RunAsync,
    ["s2"] = EveryoneOnlineScenario.RunAsync,
    ["s2s"] = SustainedScenario.RunAsync,
    ["s3"] = FanOutScenario.RunAsync,
    ["s5"] = IdleConnectionsScenario.RunAsync,
    ["s6"] = UnreadScenario.RunAsync,
    ["s7"] = AzureFanOutScenario.RunAsync,
    ["s8"] = LargeGroupsScenario.RunAsync,
    ["s9"] = IsolationScenario.RunAsync,
};
var names = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
if (names.Count == 0 || names.Any(n => n != "all" && !scenarios.ContainsKey(n)))
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project bench/Messaging.Bench -- s1|s1r|s2|s2s|s3|s4|s5|s6|s7|s8|s9|all [--quick] [--full] [--huge] [--keep]");
    return 2;
}

var selected = names.Contains("all") ? ["s1", "s1r", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9"] : names.Select(n => n.ToLowerInvariant()).Distinct().ToList();
var root = BenchOptions.FindRepoRoot();
// `all` uses the --quick sizes unless --full is given, so that it finishes within 10 minutes on a small box.
var quick = args.Contains("--quick") || (names.Contains("all") && !args.Contains("--full"));
var options = new BenchOptions(quick, args.Contains("--huge"), root, Path.Combine(root, "bench", "results"));
Fmt.Log($"scenarios {string.Join(", ", selected)}; sizes {(quick ? "quick" : "full")}");
await ServerHost.EnsureBuiltAsync(root);
var total = Stopwatch.StartNew();
var failures = 0;
foreach (var name in selected)
{
    Fmt.Log($"{name.ToUpperInvariant()} starting (load average {MachineInfo.LoadAverageNow()})");
    var clock = Stopwatch.StartNew();
    try
    {
        var result = await scenarios[name](options);
        result.DurationSeconds = Math.Round(clock.Elapsed.TotalSeconds, 1);
        result.LoadAverageAtEnd = MachineInfo.LoadAverageNow();
        result.Write(options.ResultsDir);
        Console.WriteLine(result.ToMarkdown());
    }
    catch (Exception exception)
    {
        failures++;
        Console.Error.WriteLine($"{name} failed: {exception}");
    }
    finally
    {
        if (!args.Contains("--keep"))
        {
            ServerHost.DeleteDataPaths();
        }
    }
}

Fmt.Log($"done in {total.Elapsed.TotalSeconds:F0} s");
return failures == 0 ? 0 : 1;
