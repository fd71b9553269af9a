using Messaging.Functions.Hosting;

// One executable, three ways to start it:
// - by the Azure Functions host (func start, Azure): the isolated worker;
// - "token <userId> [--name N]": print a development token;
// - otherwise: the standalone server, the same functions on ASP.NET Core.
// A startup mistake (a port in use, a short signing key, a malformed connection string, an
// unusable data folder) ends the process with one line on stderr and exit code 1.
if (FunctionsWorkerHost.IsStartedByFunctionsHost(args))
{
    return StartupFailures.Run(() => FunctionsWorkerHost.Run(args), Console.Error);
}

if (args is ["token", ..])
{
    return TokenCommand.Run(args[1..], Console.Out, Console.Error);
}

return await StartupFailures.RunAsync(() => StandaloneServer.RunAsync(args), Console.Error);
