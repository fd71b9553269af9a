using Messaging.Domain.Presence;
using Messaging.Functions.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messaging.Functions.Realtime;

/// <summary>
/// Runs <see cref="PresenceService.SweepAsync"/> every <see cref="Interval"/> in every instance: it
/// announces offline once a user's grace is over and checks connections whose lease ran out. The
/// state it works on is in the store, so any instance finishes what another started; two instances
/// sweeping the same user race on a conditional save and only the winner announces.
/// </summary>
public sealed class PresenceSweeper(PresenceService presence, TimeProvider time, ILogger<PresenceSweeper> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private const int MaxPassesPerTick = 10;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                // A full batch means more may be due: a few more passes, then the next tick.
                for (var pass = 0; pass < MaxPassesPerTick; pass++)
                {
                    var result = await presence.SweepAsync(stoppingToken);
                    Log.PresenceSwept(logger, result.Examined, result.AnnouncedOffline);
                    if (result.Examined < PresenceService.SweepBatch)
                    {
                        break;
                    }
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                Log.PresenceSweepFailed(logger, exception);
            }
        }
    }
}
