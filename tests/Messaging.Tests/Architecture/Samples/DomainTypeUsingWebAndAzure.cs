using Azure.Identity;
using Microsoft.AspNetCore.Http;

namespace Messaging.Domain.LayeringSamples;

/// <summary>Breaks the domain rule in a signature and, inside a lambda, in code only.</summary>
public sealed class DomainTypeUsingWebAndAzure
{
    public HttpContext? Context { get; set; }

    public static Func<object> Credential() => () => new DefaultAzureCredential();
}
