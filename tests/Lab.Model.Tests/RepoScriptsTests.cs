namespace Lab.Model.Tests;

/// <summary>The repository's own scripts: shellcheck-clean like the rendered ones, and the tools' build skip.</summary>
public class RepoScriptsTests
{
    /// <summary>Every file under scripts/ (lib included) and the CI entry point.</summary>
    private static List<string> ScriptPaths() =>
        [.. Directory.EnumerateFiles(Path.Combine(Repo.Root, "scripts"), "*", SearchOption.AllDirectories)
            .Append(Path.Combine(Repo.Root, ".ci", "run"))
            .Select(p => Path.GetRelativePath(Repo.Root, p))
            .Order(StringComparer.Ordinal)];

    public static TheoryData<string> Scripts() => new(ScriptPaths());

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Repository_script_is_clean_under_shellcheck(string script)
    {
        // From the root, so each script's `# shellcheck source=scripts/lib/...` directive is followed and checked too.
        var (code, output) = Tools.Run("shellcheck", ["--external-sources", "--shell=bash", "--severity=style", script], Repo.Root);
        Assert.True(code == 0, $"shellcheck found problems in {script}:\n{output}");
    }

    /// <summary>Every operator tool: each file directly under scripts/ (lib/ holds what they source).</summary>
    public static TheoryData<string> OperatorTools() =>
        new(Directory.EnumerateFiles(Path.Combine(Repo.Root, "scripts")).Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(OperatorTools))]
    public void An_operator_tool_answers_help_with_its_usage_and_changes_nothing(string tool)
    {
        var before = RepositoryState();
        var run = ScriptRunner.Run([Path.Combine(Repo.Root, "scripts", tool), "--help"], timeout: TimeSpan.FromMinutes(1), workingDirectory: Repo.Root);
        Assert.True(run.Code == 0, $"scripts/{tool} --help exited {run.Code}:\n{run.Output}");
        Assert.Contains($"scripts/{tool}", run.Stdout);
        Assert.Equal("", run.Stderr);
        Assert.Equal(before, RepositoryState());
    }

    /// <summary>What git sees in the working tree: every changed or new file and the content of each change.</summary>
    private static string RepositoryState()
    {
        var (statusCode, status) = Tools.Run("git", ["status", "--porcelain=v1", "-uall"], Repo.Root);
        var (diffCode, diff) = Tools.Run("git", ["diff", "--no-ext-diff", "--binary"], Repo.Root);
        Assert.True(statusCode == 0 && diffCode == 0, status + diff);
        return status + diff;
    }

    [Fact]
    public void The_scripts_shellcheck_covers_include_the_plan_and_the_tools_library()
    {
        var scripts = ScriptPaths();
        Assert.Contains(Path.Combine("scripts", "plan"), scripts);
        Assert.Contains(Path.Combine("scripts", "lib", "run-tool.sh"), scripts);
        Assert.Contains(Path.Combine(".ci", "run"), scripts);
    }

    [Fact]
    public void A_tool_is_rebuilt_when_any_input_of_it_or_of_a_project_it_references_changes()
    {
        var dir = Directory.CreateTempSubdirectory("lab-stamp-");
        try
        {
            var tool = Write(dir, "tool/Tool.csproj", "<Project><ItemGroup><ProjectReference Include=\"../model/Model.csproj\" /></ItemGroup></Project>");
            Write(dir, "tool/Program.cs", "return 0;");
            Write(dir, "model/Model.csproj", "<Project />");
            var script = Write(dir, "model/Nodes/os.sh", "echo os");
            var source = Write(dir, "model/Spec.cs", "class Spec {}");
            Write(dir, "unrelated/Other.cs", "class Other {}");
            var stamp = Stamp(tool);

            Write(dir, "tool/bin/Debug/Tool.dll", "built");
            Write(dir, "model/obj/project.assets.json", "{}");
            Write(dir, "unrelated/More.cs", "class More {}");
            Assert.Equal(stamp, Stamp(tool));

            File.SetLastWriteTimeUtc(script, File.GetLastWriteTimeUtc(script).AddSeconds(5));
            var edited = Stamp(tool);
            Assert.NotEqual(stamp, edited);

            Write(dir, "model/Vault/agent.hcl", "vault {}");
            var added = Stamp(tool);
            Assert.NotEqual(edited, added);

            File.Delete(source);
            Assert.NotEqual(added, Stamp(tool));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string Write(DirectoryInfo dir, string path, string content)
    {
        var full = Path.Combine(dir.FullName, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    /// <summary>The stamp scripts/lib/run-tool.sh compares with the one it wrote at the tool's last build.</summary>
    private static string Stamp(string project)
    {
        var library = Path.Combine(Repo.Root, "scripts", "lib", "run-tool.sh");
        var (code, output) = Tools.Run("bash", ["-c", ". \"$0\" && lab_inputs_stamp \"$1\"", library, Path.GetDirectoryName(project)!]);
        Assert.True(code == 0, output);
        return output.Trim();
    }
}
