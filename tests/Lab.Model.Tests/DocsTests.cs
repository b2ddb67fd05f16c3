using System.Text.RegularExpressions;

namespace Lab.Model.Tests;

/// <summary>The README is one page that reaches every doc, and the docs send readers only to files and sections that exist.</summary>
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

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_link_into_a_page_names_a_heading_or_anchor_of_that_page(string document)
    {
        var path = Path.Combine(Repo.Root, document);
        var broken = Link().Matches(File.ReadAllText(path)).Select(m => m.Groups[1].Value)
            .Where(target => !target.StartsWith("http", StringComparison.Ordinal) && target.Contains('#'))
            .Where(target =>
            {
                var file = target.Split('#')[0];
                var page = file.Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, file));
                return File.Exists(page) && !Anchors(File.ReadAllText(page)).Contains(target.Split('#')[1]);
            })
            .ToList();
        Assert.True(broken.Count == 0, $"{document} links sections that do not exist: {string.Join(", ", broken)}");
    }

    [Fact]
    public void The_readme_is_one_page_that_starts_with_the_two_commands_and_the_real_flow()
    {
        var readme = File.ReadAllLines(Path.Combine(Repo.Root, "README.md"));
        Assert.True(readme.Length < 150, $"README.md has {readme.Length} lines: move detail to a docs/ page and link it.");
        var text = string.Join('\n', readme);
        Assert.Contains("scripts/plan Pulumi.dev.yaml", text);
        Assert.Contains("\nscripts/test ", text);
        var flow = text[text.IndexOf("## The real flow", StringComparison.Ordinal)..];
        Assert.Matches(@"\n1\. [^\n]+(\n.*)*\n2\. [^\n]+(\n.*)*\n3\. ", flow);
    }

    [Fact]
    public void Every_page_under_docs_is_reachable_from_the_readme()
    {
        var reached = new HashSet<string>();
        var next = new Queue<string>([Path.Combine(Repo.Root, "README.md")]);
        while (next.TryDequeue(out var page))
        {
            if (!page.EndsWith(".md", StringComparison.Ordinal) || !File.Exists(page) || !reached.Add(page))
            {
                continue;
            }
            foreach (var target in Link().Matches(File.ReadAllText(page)).Select(m => m.Groups[1].Value.Split('#')[0])
                .Where(t => t.Length > 0 && !t.StartsWith("http", StringComparison.Ordinal)))
            {
                var resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, target));
                foreach (var linked in Directory.Exists(resolved) ? Directory.EnumerateFiles(resolved, "*.md") : [resolved])
                {
                    next.Enqueue(linked);
                }
            }
        }
        var unreached = Directory.EnumerateFiles(Path.Combine(Repo.Root, "docs"), "*.md", SearchOption.AllDirectories)
            .Where(p => !reached.Contains(p)).Select(p => Path.GetRelativePath(Repo.Root, p)).ToList();
        Assert.True(unreached.Count == 0, $"no chain of links from README.md reaches: {string.Join(", ", unreached)}");
    }

    /// <summary>The anchors a page offers: its headings as GitHub turns them into ids, and explicit &lt;a id&gt;s.</summary>
    private static HashSet<string> Anchors(string page) =>
    [
        .. Regex.Matches(page, @"^#+ (.+)$", RegexOptions.Multiline)
            .Select(m => Regex.Replace(m.Groups[1].Value.Trim().ToLowerInvariant().Replace("`", "", StringComparison.Ordinal), @"[^\p{L}\p{Nd} _-]", "").Replace(' ', '-')),
        .. Regex.Matches(page, "<a id=\"([^\"]+)\"").Select(m => m.Groups[1].Value),
    ];

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex Link();

    /// <summary>A path in code text that climbs out of the repository's root, e.g. `../shared/DESIGN.md` in the README.</summary>
    [GeneratedRegex(@"`\.\./[^`]*`")]
    private static partial Regex OutsidePath();
}
