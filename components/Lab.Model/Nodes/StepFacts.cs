using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace Lab.Model.Nodes;

/// <summary>The key=value facts a step prints on stdout, parsed strictly: probe output is not trusted.</summary>
public static partial class StepFacts
{
    public static ImmutableDictionary<string, string> Parse(string target, string step, string stdout)
    {
        var facts = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var line in stdout.Split('\n').Select(l => l.TrimEnd('\r')))
        {
            var match = Fact().Match(line);
            if (!match.Success)
            {
                continue; // tools may print progress lines; only well-formed facts count
            }
            var key = match.Groups[1].Value;
            if (facts.ContainsKey(key))
            {
                throw new InvalidDataException($"{target}: step '{step}' printed fact '{key}' twice; its output cannot be trusted. Re-run the step and read its output with scripts/render.");
            }
            facts[key] = match.Groups[2].Value;
        }
        return facts.ToImmutable();
    }

    public static string Require(string target, string step, string stdout, string key)
    {
        var facts = Parse(target, step, stdout);
        return facts.TryGetValue(key, out var value) && value.Length > 0
            ? value
            : throw new InvalidDataException($"{target}: step '{step}' did not report '{key}' (it reported: {(facts.IsEmpty ? "nothing" : string.Join(", ", facts.Keys))}). The step's script prints it on success; re-run with `pulumi up` and check the node.");
    }

    [GeneratedRegex(@"\A([a-z][a-z0-9_]{0,63})=([\x20-\x7E]{0,256})\z")]
    private static partial Regex Fact();
}
