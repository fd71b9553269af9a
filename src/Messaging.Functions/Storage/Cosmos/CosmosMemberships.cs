using System.Globalization;
using System.Net;
using Microsoft.Azure.Cosmos;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// Flips of a membership between small (activity on the membership) and large (activity on the header,
/// decision 0010). A membership marked large is always safe: the list orders it by its header, which has
/// the activity of every group. One marked small in a large group would sink in the list, so a group
/// grows only once its memberships are large, and a flip never overwrites one of a later header version.
/// </summary>
internal static class CosmosMemberships
{
    /// <summary>
    /// Sets <c>large</c> and the header version it comes from, unless the membership already carries that
    /// version or a later one; never creates a membership (a user removed meanwhile keeps none).
    /// </summary>
    public static async Task SetLargeAsync(this Container memberships, string conversationId, string userId, bool large, long version, CancellationToken cancellationToken)
    {
        var at = version.ToString(CultureInfo.InvariantCulture);
        using var response = await memberships.PatchItemStreamAsync(
            conversationId,
            new PartitionKey(userId),
            [PatchOperation.Set("/large", large), PatchOperation.Set("/version", version)],
            new PatchItemRequestOptions { FilterPredicate = $"FROM c WHERE NOT IS_DEFINED(c.version) OR c.version < {at}" },
            cancellationToken);
        if (!response.IsSuccessStatusCode && response.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.PreconditionFailed))
        {
            throw new CosmosException(
                $"Marking the membership of {userId} in {conversationId} answered {response.StatusCode}: {response.ErrorMessage}",
                response.StatusCode,
                0,
                response.Headers.ActivityId,
                response.Headers.RequestCharge);
        }
    }
}
