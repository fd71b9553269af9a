using Messaging.Domain.Common;
using Messaging.Functions.Auth;

namespace Messaging.Functions.Hosting;

/// <summary><c>token &lt;userId&gt; [--name &lt;display name&gt;]</c>: prints a JWT valid for 24 hours, signed with the configured key.</summary>
public static class TokenCommand
{
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        string? userId = null;
        string? name = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--name" && i + 1 < args.Length)
            {
                name = args[++i];
            }
            else if (userId is null && !args[i].StartsWith("--", StringComparison.Ordinal))
            {
                userId = args[i];
            }
        }

        if (!Ids.IsWellFormed(userId))
        {
            error.WriteLine("usage: token <userId> [--name <display name>]");
            return 2;
        }

        var builder = new Microsoft.Extensions.Configuration.ConfigurationManager();
        StandaloneServer.ConfigureSources(builder, []);
        try
        {
            output.WriteLine(TokenIssuer.Issue(MessagingServices.Auth(builder), MessagingServices.DataPath(builder), userId!, name, TimeSpan.FromHours(24)));
            return 0;
        }
        catch (InvalidOperationException exception)
        {
            error.WriteLine(exception.Message);
            return 1;
        }
    }
}
