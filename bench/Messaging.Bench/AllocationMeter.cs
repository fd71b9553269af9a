using System.Diagnostics;
using System.Globalization;

namespace Messaging.Bench;

/// <summary>
/// Bytes the server allocates during a window, read from outside the process as dotnet-counters
/// reads them: the runtime's <c>dotnet.gc.heap.total_allocated</c> counter, one sample a second,
/// summed over a session of fixed length (the tool writes its file only when the session ends).
/// Without dotnet-counters on the PATH (or in ~/.dotnet/tools) the figure is NaN.
/// </summary>
internal sealed class AllocationMeter
{
    private readonly Process? _process;
    private readonly string _file;

    private AllocationMeter(Process? process, string file)
    {
        _process = process;
        _file = file;
    }

    /// <summary>Starts a session of <paramref name="seconds"/> and waits until it has attached.</summary>
    public static async Task<AllocationMeter> StartAsync(int pid, int seconds)
    {
        var file = Path.Combine(Path.GetTempPath(), $"bench-alloc-{pid}-{Environment.TickCount64}.csv");
        if (FindTool() is not { } tool)
        {
            return new AllocationMeter(null, file);
        }

        var duration = TimeSpan.FromSeconds(seconds).ToString(@"dd\:hh\:mm\:ss", CultureInfo.InvariantCulture);
        var start = new ProcessStartInfo(tool, ["collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "--counters", "System.Runtime[dotnet.gc.heap.total_allocated]", "--refresh-interval", "1", "--format", "csv", "-o", file, "--duration", duration])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Task.Delay(1000);
        return new AllocationMeter(process, file);
    }

    public static bool Available => FindTool() is not null;

    /// <summary>Waits for the session to end; the bytes allocated during it, or NaN.</summary>
    public async Task<double> BytesAsync()
    {
        if (_process is null)
        {
            return double.NaN;
        }

        using (_process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
                return double.NaN;
            }
        }

        if (!File.Exists(_file))
        {
            return double.NaN;
        }

        var total = 0.0;
        foreach (var line in await File.ReadAllLinesAsync(_file))
        {
            var fields = line.Split(',');
            if (fields.Length >= 5 && fields[2].Contains("total_allocated", StringComparison.Ordinal)
                && double.TryParse(fields[^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var increment))
            {
                total += increment;
            }
        }

        File.Delete(_file);
        return total;
    }

    private static string? FindTool()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Append(Path.Combine(home, ".dotnet", "tools"))
            .Select(dir => Path.Combine(dir, "dotnet-counters"))
            .FirstOrDefault(File.Exists);
    }
}
