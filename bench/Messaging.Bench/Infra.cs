using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Messaging.Bench;

/// <summary>Command-line options shared by every scenario.</summary>
internal sealed record BenchOptions(bool Quick, bool Huge, string RepoRoot, string ResultsDir)
{
    public static string FindRepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            var directory = new DirectoryInfo(start);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Messaging.sln")))
            {
                directory = directory.Parent;
            }

            if (directory is not null)
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Messaging.sln not found above the current folder or the bench binary.");
    }
}

/// <summary>What the figures were measured on.</summary>
internal sealed record MachineInfo(int Cores, string Cpu, long MemoryMiB, string Os, string Dotnet, string LoadAverage)
{
    public static MachineInfo Current() => new(
        Environment.ProcessorCount,
        CpuModel(),
        MemTotalKiB() / 1024,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        LoadAverageNow());

    public static string LoadAverageNow()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    private static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "n/a";
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    private static long MemTotalKiB()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}

/// <summary>Latency samples in milliseconds.</summary>
internal sealed class Samples
{
    private readonly List<double> _values = [];
    private readonly Lock _gate = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _values.Count;
            }
        }
    }

    public void Add(double milliseconds)
    {
        lock (_gate)
        {
            _values.Add(milliseconds);
        }
    }

    public double Percentile(double p)
    {
        double[] sorted;
        lock (_gate)
        {
            sorted = [.. _values];
        }

        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    public double Max => Percentile(100);

    public double Median => Percentile(50);
}

/// <summary>One line of a scenario table: the measured figure next to its floor and target.</summary>
internal sealed record Row(string Metric, string Measured, string Floor, string Target, string Met);

/// <summary>A scenario's results: printed as a table and written as JSON.</summary>
internal sealed class ScenarioResult(string id, string title)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string Scenario { get; } = id;

    public string Title { get; } = title;

    public string StartedAt { get; } = DateTimeOffset.UtcNow.ToString("u", CultureInfo.InvariantCulture);

    public MachineInfo Machine { get; } = MachineInfo.Current();

    public string? LoadAverageAtEnd { get; set; }

    public double DurationSeconds { get; set; }

    public Dictionary<string, string> Settings { get; } = [];

    public List<Row> Rows { get; } = [];

    public Dictionary<string, object> Figures { get; } = [];

    public List<string> Notes { get; } = [];

    public void Add(string metric, string measured, string floor = "", string target = "", bool? met = null) =>
        Rows.Add(new Row(metric, measured, floor, target, met switch { true => "yes", false => "NO", null => "" }));

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### {Scenario}: {Title}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine.Cores} cores ({Machine.Cpu}), {Machine.MemoryMiB} MiB, {Machine.Os}, {Machine.Dotnet}; load average at start {Machine.LoadAverage}, at end {LoadAverageAtEnd}; took {DurationSeconds:F0} s.");
        text.AppendLine();
        text.AppendLine("Settings: " + string.Join("; ", Settings.Select(s => $"{s.Key} = {s.Value}")) + ".");
        text.AppendLine();
        text.AppendLine("| metric | measured | floor (same run) | target | met |");
        text.AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var row in Rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Metric} | {row.Measured} | {row.Floor} | {row.Target} | {row.Met} |");
        }

        if (Notes.Count > 0)
        {
            text.AppendLine();
            foreach (var note in Notes)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
            }
        }

        return text.ToString();
    }

    public void Write(string resultsDir)
    {
        Directory.CreateDirectory(resultsDir);
        File.WriteAllText(Path.Combine(resultsDir, Scenario.ToLowerInvariant() + ".json"), JsonSerializer.Serialize(this, Json));
        File.WriteAllText(Path.Combine(resultsDir, Scenario.ToLowerInvariant() + ".md"), ToMarkdown());
    }
}

/// <summary>Figures formatting.</summary>
internal static class Fmt
{
    public static string Ms(double value) => double.IsNaN(value) ? "n/a" : value < 10 ? value.ToString("F2", CultureInfo.InvariantCulture) + " ms" : value.ToString("F1", CultureInfo.InvariantCulture) + " ms";

    public static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string I(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Kb(double bytes) => (bytes / 1024).ToString("F1", CultureInfo.InvariantCulture) + " KB";

    public static double Round(double value, int digits = 3) => double.IsNaN(value) ? value : Math.Round(value, digits);

    public static void Log(string line) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}");
}

/// <summary>Per-process figures from /proc: resident memory and CPU time.</summary>
internal static class ProcStats
{
    private static readonly double TicksPerSecond = 100.0; // USER_HZ on Linux.

    /// <summary>VmRSS in bytes, and RssAnon (private, anonymous memory) in bytes.</summary>
    public static (long Rss, long RssAnon) Memory(int pid)
    {
        long rss = 0, anon = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kib(line) * 1024;
            }
            else if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
            {
                anon = Kib(line) * 1024;
            }
        }

        return (rss, anon);
    }

    /// <summary>User plus system CPU seconds used so far by the process.</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields after the command: state is index 0, utime index 11, stime index 12.
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    public static int Self => Environment.ProcessId;

    private static long Kib(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}

/// <summary>CPU used by the server and by this process across a measured interval.</summary>
internal sealed class CpuMeter
{
    private readonly int _serverPid;
    private readonly double _server0;
    private readonly double _self0;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public CpuMeter(int serverPid)
    {
        _serverPid = serverPid;
        _server0 = ProcStats.CpuSeconds(serverPid);
        _self0 = ProcStats.CpuSeconds(ProcStats.Self);
    }

    /// <summary>Average cores busy in the server and in the bench client since the meter started.</summary>
    public (double ServerCores, double ClientCores) Read()
    {
        var seconds = _clock.Elapsed.TotalSeconds;
        return ((ProcStats.CpuSeconds(_serverPid) - _server0) / seconds, (ProcStats.CpuSeconds(ProcStats.Self) - _self0) / seconds);
    }

    public string Describe()
    {
        var (server, client) = Read();
        return $"server {server.ToString("F2", CultureInfo.InvariantCulture)} cores, bench client {client.ToString("F2", CultureInfo.InvariantCulture)} cores (of {Environment.ProcessorCount})";
    }
}
