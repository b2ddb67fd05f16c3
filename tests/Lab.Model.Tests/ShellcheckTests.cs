using Lab.Model.Artifacts;

namespace Lab.Model.Tests;

/// <summary>Every rendered step script of every shipped stack passes shellcheck (installed by .ci/run).</summary>
public class ShellcheckTests
{
    public static TheoryData<string> StackFiles() => new([.. Repo.StackFiles.Select(Path.GetFileName)!, "prod with the drill"]);

    [Theory]
    [MemberData(nameof(StackFiles))]
    public void Rendered_scripts_are_clean_under_shellcheck(string stackFile)
    {
        var lab = stackFile == "prod with the drill"
            ? Repo.GatedProdConfig().Edit(Lab.Model.Spec.ConfigKeys.Validation, v => v["drill"] = true).Load()
            : Repo.Load(Lab.Model.Spec.StackFile.Read(Repo.StackFiles.Single(f => Path.GetFileName(f) == stackFile)));
        var dir = Directory.CreateTempSubdirectory("lab-shellcheck-");
        try
        {
            var scripts = LabArtifacts.Render(lab).Where(a => a.Path.EndsWith(".sh", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(scripts);
            var paths = scripts.Select((a, i) =>
            {
                var path = Path.Combine(dir.FullName, $"{i:D3}-{a.Path.Replace('/', '_')}");
                File.WriteAllText(path, a.Content);
                return path;
            }).ToList();
            var (code, output) = Tools.Run("shellcheck", ["--shell=bash", "--severity=style", .. paths]);
            Assert.True(code == 0, $"shellcheck found problems:\n{output}");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Script_bodies_are_clean_under_shellcheck_as_sources()
    {
        // The bodies are what a reviewer edits: they must pass on their own, their data block aside (SC2154: set there).
        var bodies = Directory.EnumerateFiles(Path.Combine(Repo.Root, "components", "Lab.Model"), "*.sh", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")).ToList();
        Assert.True(bodies.Count >= 10, $"found only {bodies.Count} script bodies");
        var (code, output) = Tools.Run("shellcheck", ["--shell=bash", "--severity=style", "--exclude=SC2154", .. bodies]);
        Assert.True(code == 0, $"shellcheck found problems:\n{output}");
    }

    [Fact]
    public void Shellcheck_catches_what_it_should()
    {
        // Proves the check above can fail: an unquoted expansion is reported.
        var path = Path.Combine(Path.GetTempPath(), $"lab-bad-{Guid.NewGuid():N}.sh");
        File.WriteAllText(path, "#!/usr/bin/env bash\nrm -rf $1/tmp\n");
        try
        {
            var (code, output) = Tools.Run("shellcheck", [path]);
            Assert.NotEqual(0, code);
            Assert.Contains("SC2086", output);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

internal static class Tools
{
    public static (int Code, string Output) Run(string tool, IEnumerable<string> args, string? workingDirectory = null)
    {
        try
        {
            var run = ScriptRunner.Run([tool, .. args], timeout: TimeSpan.FromMinutes(10), workingDirectory: workingDirectory);
            return (run.Code, run.Output);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException($"{tool} is not installed; scripts/test installs it (apt-get install {Package(tool)}).");
        }
    }

    private static string Package(string tool) => tool switch
    {
        "promtool" => "prometheus",
        "systemd-analyze" => "systemd",
        _ => tool,
    };
}
