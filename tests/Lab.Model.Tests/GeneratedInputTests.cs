using Lab.Model.Artifacts;

namespace Lab.Model.Tests;

/// <summary>Many generated stacks (valid values drawn at random from what validation allows): every script they render parses and is shellcheck-clean.</summary>
public class GeneratedInputTests
{
    /// <summary>Random tokens valid in every name position (node, export, secret, role, field, package version).</summary>
    private static string Token(Random random) =>
        new string([.. Enumerable.Range(0, random.Next(1, 9)).Select(_ => "abcdefghijklmnopqrstuvwxyz0123456789"[random.Next(36)])]).Insert(0, "q");

    public static TheoryData<int> Seeds => new(Enumerable.Range(1, 16));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Every_script_parses_for_generated_values(int seed)
    {
        HostileCorpusTests.RendersInert(MarkedStack.Load(Token(new Random(seed))));
    }

    [Fact]
    public void Scripts_for_generated_values_are_clean_under_shellcheck()
    {
        var random = new Random(42);
        var dir = Directory.CreateTempSubdirectory("lab-generated-");
        try
        {
            var paths = Enumerable.Range(0, 3).SelectMany(round =>
                LabArtifacts.Render(MarkedStack.Load(Token(random))).Where(a => a.Path.EndsWith(".sh", StringComparison.Ordinal))
                    .Select((a, i) =>
                    {
                        var path = Path.Combine(dir.FullName, $"{round}-{i:D3}.sh");
                        File.WriteAllText(path, a.Content);
                        return path;
                    })).ToList();
            var (code, output) = Tools.Run("shellcheck", ["--shell=bash", "--severity=style", .. paths]);
            Assert.True(code == 0, $"shellcheck found problems:\n{output}");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
