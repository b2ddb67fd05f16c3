namespace Lab.Model.Tests;

/// <summary>
/// Golden files: a rendered artifact must equal its committed copy under Golden/, so a change to
/// what reaches Vault or a node shows up in review. LAB_UPDATE_GOLDEN=1 rewrites them.
/// </summary>
internal static class Golden
{
    private static string Dir => Path.Combine(Repo.Root, "tests", "Lab.Model.Tests", "Golden");

    public static void Matches(string name, string actual)
    {
        var path = Path.Combine(Dir, name);
        if (Environment.GetEnvironmentVariable("LAB_UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
        }
        Assert.True(File.Exists(path), $"no golden file {path}; run LAB_UPDATE_GOLDEN=1 scripts/test to write it, then review and commit it.");
        var expected = File.ReadAllText(path);
        if (expected != actual)
        {
            var (line, want, got) = FirstDifference(expected, actual);
            Assert.Fail($"{name} differs from its golden file at line {line}:\n  golden:   {want}\n  rendered: {got}\nIf the change is intended: LAB_UPDATE_GOLDEN=1 scripts/test, review the diff, commit.");
        }
    }

    private static (int Line, string Want, string Got) FirstDifference(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var x = i < a.Length ? a[i] : "<end of file>";
            var y = i < b.Length ? b[i] : "<end of file>";
            if (x != y)
            {
                return (i + 1, x, y);
            }
        }
        return (0, "", "");
    }
}
