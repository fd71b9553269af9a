using Messaging.Functions.Endpoints;
using Messaging.Functions.Hosting;

namespace Messaging.Functions.Storage.LayeringSamples;

/// <summary>Breaks the storage rule in code only: <c>typeof</c> inside an async method, and a local.</summary>
public static class StorageTypeUsingHosting
{
    public static async Task<string> HostNameAsync()
    {
        await Task.Yield();
        return typeof(StandaloneServer).Name;
    }

    public static bool IsFunction(object candidate)
    {
        var function = candidate as MessageFunctions;
        return function is not null;
    }
}
