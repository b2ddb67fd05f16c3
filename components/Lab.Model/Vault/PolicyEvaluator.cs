using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace Lab.Model.Vault;

/// <summary>
/// Evaluates rendered Vault policy HCL the way Vault does (ACL path rules): exact paths, a trailing
/// '*' glob, '+' for one path segment, the most specific matching rule wins, and deny overrides.
/// A token's policies are evaluated together as Vault's NewACL (vault/acl.go) builds one ACL from
/// them: rules for the same path, in one policy or several, merge into the union of their
/// capabilities, and a deny in any of them leaves only deny.
/// Used to prove least privilege from the text Vault will actually receive.
/// </summary>
public sealed partial class PolicyEvaluator
{
    private readonly ImmutableArray<(string Path, ImmutableHashSet<string> Capabilities)> _rules;

    private PolicyEvaluator(ImmutableArray<(string, ImmutableHashSet<string>)> rules) => _rules = rules;

    public IEnumerable<string> Paths => _rules.Select(r => r.Path);

    /// <summary>The ACL of a token holding all of <paramref name="policies"/> (HCL texts).</summary>
    public static PolicyEvaluator Parse(params string[] policies)
    {
        var rules = new List<(string Path, ImmutableHashSet<string> Capabilities)>();
        foreach (var hcl in policies)
        {
            var read = Block().Matches(hcl).Select(m => (
                m.Groups["path"].Value,
                Capability().Matches(m.Groups["caps"].Value).Select(c => c.Groups[1].Value).ToImmutableHashSet())).ToList();
            var declared = PathKeyword().Matches(hcl).Count;
            if (declared != read.Count)
            {
                throw new FormatException($"policy has {declared} path blocks but {read.Count} could be read; the evaluator cannot vouch for it.");
            }
            rules.AddRange(read);
        }
        var merged = rules.GroupBy(r => r.Path, StringComparer.Ordinal).Select(g =>
        {
            var union = g.SelectMany(r => r.Capabilities).ToImmutableHashSet();
            return (g.Key, union.Contains("deny") ? ImmutableHashSet.Create("deny") : union);
        });
        return new PolicyEvaluator([.. merged]);
    }

    /// <summary>The capabilities a token with only this policy has on <paramref name="path"/> (empty: denied).</summary>
    public ImmutableHashSet<string> Capabilities(string path)
    {
        var winner = _rules.Where(r => Matches(r.Path, path)).OrderByDescending(r => r.Path, Priority.Instance).FirstOrDefault();
        if (winner.Path is null || winner.Capabilities.Contains("deny"))
        {
            return [];
        }
        return winner.Capabilities;
    }

    public bool Allows(string path, string capability) => Capabilities(path).Contains(capability);

    private static bool Matches(string rule, string path)
    {
        var glob = rule.EndsWith('*');
        var ruleParts = (glob ? rule[..^1] : rule).Split('/');
        var pathParts = path.Split('/');
        if (!glob && ruleParts.Length != pathParts.Length)
        {
            return false;
        }
        if (glob && pathParts.Length < ruleParts.Length)
        {
            return false;
        }
        for (var i = 0; i < ruleParts.Length; i++)
        {
            var last = i == ruleParts.Length - 1;
            if (ruleParts[i] == "+")
            {
                continue;
            }
            if (last && glob ? !pathParts[i].StartsWith(ruleParts[i], StringComparison.Ordinal) : ruleParts[i] != pathParts[i])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Vault's priority of matching rules (higher wins), from its ACL documentation.</summary>
    private sealed class Priority : IComparer<string>
    {
        public static readonly Priority Instance = new();

        public int Compare(string? a, string? b)
        {
            // 1. The later the first wildcard, the higher the priority.
            var wa = FirstWildcard(a!);
            var wb = FirstWildcard(b!);
            if (wa != wb)
            {
                return wa.CompareTo(wb);
            }
            // 2. Ending in '*' is lower than not.
            if (a!.EndsWith('*') != b!.EndsWith('*'))
            {
                return a.EndsWith('*') ? -1 : 1;
            }
            // 3. More '+' segments is lower.
            var pa = a.Split('/').Count(s => s == "+");
            var pb = b.Split('/').Count(s => s == "+");
            if (pa != pb)
            {
                return pb.CompareTo(pa);
            }
            // 4. Shorter is lower; 5. lexicographically smaller is lower.
            return a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
        }

        private static int FirstWildcard(string path)
        {
            var index = path.IndexOfAny(['+', '*']);
            return index < 0 ? int.MaxValue : index;
        }
    }

    [GeneratedRegex(@"path\s+""(?<path>[^""]+)""\s*\{\s*capabilities\s*=\s*\[(?<caps>[^\]]*)\]\s*\}")]
    private static partial Regex Block();

    [GeneratedRegex(@"""([a-z]+)""")]
    private static partial Regex Capability();

    [GeneratedRegex(@"(?m)^\s*path\s")]
    private static partial Regex PathKeyword();
}
