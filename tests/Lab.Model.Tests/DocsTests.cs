using System.Text.RegularExpressions;

namespace Lab.Model.Tests;

/// <summary>The README and docs send readers only to files that are in the repository.</summary>
public partial class DocsTests
{
    public static TheoryData<string> Documents() => new(
        [.. Directory.EnumerateFiles(Path.Combine(Repo.Root, "docs"), "*.md", SearchOption.AllDirectories)
            .Prepend(Path.Combine(Repo.Root, "README.md"))
            .Select(p => Path.GetRelativePath(Repo.Root, p))
            .Order(StringComparer.Ordinal)]);

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_link_and_path_points_inside_the_repository_at_something_that_exists(string document)
    {
        var path = Path.Combine(Repo.Root, document);
        var text = File.ReadAllText(path);
        var broken = Link().Matches(text).Select(m => m.Groups[1].Value)
            .Where(target => !target.StartsWith("http", StringComparison.Ordinal))
            .Select(target => (target, Resolved: Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, target.Split('#')[0]))))
            .Where(t => !t.Resolved.StartsWith(Repo.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                || !(File.Exists(t.Resolved) || Directory.Exists(t.Resolved)))
            .Select(t => t.target)
            .Concat(OutsidePath().Matches(text).Select(m => m.Value))
            .ToList();
        Assert.True(broken.Count == 0, $"{document} points outside the repository or at nothing: {string.Join(", ", broken)}");
    }

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex Link();

    /// <summary>A path in code text that climbs out of the repository's root, e.g. `../shared/DESIGN.md` in the README.</summary>
    [GeneratedRegex(@"`\.\./[^`]*`")]
    private static partial Regex OutsidePath();
}
