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

    /// <summary>
    /// A count a step reports: digits only. Output a cut run left (a value cut short, or run together with another
    /// line) is refused with the node and the step, never parsed as far as it goes.
    /// </summary>
    public static int RequireCount(string target, string step, string stdout, string key)
    {
        var value = Require(target, step, stdout, key);
        return Count().IsMatch(value)
            ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture)
            : throw Untrusted(target, step, key, value, "a count");
    }

    /// <summary>A sha256 a step reports: 64 lowercase hex digits, else refused as <see cref="RequireCount"/> refuses.</summary>
    public static string RequireSha256(string target, string step, string stdout, string key)
    {
        var value = Require(target, step, stdout, key);
        return Sha256().IsMatch(value) ? value : throw Untrusted(target, step, key, value, "a sha256 (64 hex digits)");
    }

    private static InvalidDataException Untrusted(string target, string step, string key, string value, string what) =>
        new($"{target}: step '{step}' reported {key}='{value}', which is not {what}: its output cannot be trusted (a run cut short?). Re-run the step with `pulumi up` and check the node.");

    [GeneratedRegex(@"\A[0-9]{1,9}\z")]
    private static partial Regex Count();

    [GeneratedRegex(@"\A[0-9a-f]{64}\z")]
    private static partial Regex Sha256();

    [GeneratedRegex(@"\A([a-z][a-z0-9_]{0,63})=([\x20-\x7E]{0,256})\z")]
    private static partial Regex Fact();
}
