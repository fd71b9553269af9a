namespace Messaging.Infrastructure.Tests;

public sealed class BicepLintTests
{
    [Fact]
    public void Main_template_compiles_without_warnings()
    {
        var result = BicepCli.Run("build", BicepCli.MainTemplate, "--stdout");

        Assert.True(result.ExitCode == 0, $"bicep build failed:\n{result.AllOutput}");
        AssertNoDiagnostics(result.StandardError);
    }

    [Fact]
    public void Linter_reports_no_warnings_or_errors()
    {
        var result = BicepCli.Run("lint", BicepCli.MainTemplate);

        Assert.True(result.ExitCode == 0, $"bicep lint failed:\n{result.AllOutput}");
        AssertNoDiagnostics(result.AllOutput);
    }

    private static void AssertNoDiagnostics(string output)
    {
        var diagnostics = output.Split('\n')
            .Where(line => line.Contains(": Warning ", StringComparison.OrdinalIgnoreCase)
                || line.Contains(": Error ", StringComparison.OrdinalIgnoreCase))
            .ToList();
        Assert.True(diagnostics.Count == 0, "Bicep diagnostics:\n" + string.Join('\n', diagnostics));
    }
}
