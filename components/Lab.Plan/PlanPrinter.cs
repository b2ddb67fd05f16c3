using System.Collections;
using System.Text;
using System.Text.RegularExpressions;
using Lab.Model.Spec;
using Lab.Model.Text;

namespace Lab.Plan;

/// <summary>Prints a plan as a tree an operator can review: type, name, key inputs, options.</summary>
public static partial class PlanPrinter
{
    public static string Print(StackFile file, IReadOnlyList<PlannedResource> resources)
    {
        var text = new StringBuilder()
            .Append($"Plan of stack '{file.Stack}' from {file.Path} (offline: no Pulumi CLI, network, lab or credentials).\n")
            .Append("Secrets show as [secret], values known only once applied as [unknown] (as in `pulumi preview`); a step as the values of its data block, then its lines + sha256 (scripts/render writes it out); hashes cut to 12 digits.\n\n")
            .Append($"pulumi:pulumi:Stack {PlanRunner.Project}-{file.Stack}\n");
        var children = resources.ToLookup(r => r.ParentName is null ? null : $"{r.ParentType}::{r.ParentName}");
        PrintChildren(text, children, null, "");
        text.Append('\n').Append($"{resources.Count} resources: ")
            .Append(string.Join(", ", resources.GroupBy(r => r.Type).Select(g => $"{g.Count()} {g.Key}")))
            .Append('\n');
        return text.ToString();
    }

    private static void PrintChildren(StringBuilder text, ILookup<string?, PlannedResource> children, string? parent, string indent)
    {
        var list = children[parent].ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var r = list[i];
            var last = i == list.Count - 1;
            text.Append(indent).Append(last ? "└─ " : "├─ ").Append(r.Type).Append(' ').Append(r.Name).Append('\n');
            var inner = indent + (last ? "   " : "│  ");
            var detail = inner + (children[r.Key].Any() ? "│    " : "     ");
            foreach (var (key, value) in r.Inputs)
            {
                if (value is string script && ScriptData.Read(script) is { IsEmpty: false } data)
                {
                    // A step reads as its inputs (the values of its data block); its size and hash come last.
                    text.Append(detail).Append(key).Append(':').Append(Purpose(script)).Append('\n');
                    foreach (var input in data)
                    {
                        text.Append(detail).Append("    ").Append(input.Name).Append(": ").Append(Format(input.Display)).Append('\n');
                    }
                    text.Append(detail).Append("    ").Append(Size(script)).Append('\n');
                    continue;
                }
                Input(text, detail, key, key == "connection" ? Connection(value) : value);
            }
            if (!r.DependsOn.IsEmpty)
            {
                text.Append(detail).Append("dependsOn: ").Append(string.Join(", ", r.DependsOn)).Append('\n');
            }
            if (r.Provider is not null)
            {
                text.Append(detail).Append("provider: ").Append(r.Provider).Append('\n');
            }
            if (!r.SecretOutputs.IsEmpty)
            {
                text.Append(detail).Append("secretOutputs: ").Append(string.Join(", ", r.SecretOutputs)).Append('\n');
            }
            if (r.CreateTimeout is not null)
            {
                text.Append(detail).Append("customTimeouts: create/update ").Append(r.CreateTimeout).Append('\n');
            }
            if (r.Protect || r.RetainOnDelete)
            {
                text.Append(detail).Append(string.Join(", ", new[] { r.Protect ? "protect" : null, r.RetainOnDelete ? "retainOnDelete" : null }.OfType<string>())).Append('\n');
            }
            PrintChildren(text, children, r.Key, inner);
        }
    }

    /// <summary>One input as a reviewer reads it: scripts and big structures as size and hash, the rest verbatim.</summary>
    internal static string Format(object? value) => value switch
    {
        null => "null",
        string s when s.Contains('\n') => Size(s) + Purpose(s),
        string s when Sha().IsMatch(s) => s[..12],
        string s => s,
        bool b => b ? "true" : "false",
        IDictionary or IEnumerable => Structure(value),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>A script or other text as its line count and hash (scripts/render writes it out).</summary>
    internal static string Size(string text) => $"<{text.TrimEnd('\n').Split('\n').Length} lines, sha256 {Shell.Sha256(text)[..12]}>";

    /// <summary>An SSH connection shows its host key as the fingerprint ssh-keygen -lf prints, or UNPINNED.</summary>
    private static object? Connection(object? value)
    {
        if (value is not IDictionary connection)
        {
            return value;
        }
        var shown = connection.Keys.Cast<object>().ToDictionary(k => k.ToString()!, k => connection[k]);
        shown["hostKey"] = shown.GetValueOrDefault("hostKey") is string line && HostKey.TryParse(line, out var key, out _) ? key!.Fingerprint : "UNPINNED";
        return shown;
    }

    /// <summary>A rendered step says what it does on its second line ("# lab COMPONENT: PURPOSE"): show that.</summary>
    private static string Purpose(string script)
    {
        var lines = script.Split('\n', 3);
        var colon = lines.Length > 1 && lines[1].StartsWith("# lab ", StringComparison.Ordinal) ? lines[1].IndexOf(": ", StringComparison.Ordinal) : -1;
        return colon < 0 ? "" : $" {lines[1][(colon + 2)..]}";
    }

    /// <summary>
    /// One input: on its line when short; a long structure as a block, one field per line, so a Job's image, command,
    /// volumes and host access each read on their own line.
    /// </summary>
    private static void Input(StringBuilder text, string indent, string key, object? value)
    {
        var line = Format(value);
        if (line.Length <= BlockOver || value is string || !IsStructure(value))
        {
            text.Append(indent).Append(key).Append(": ").Append(line).Append('\n');
            return;
        }
        text.Append(indent).Append(key).Append(":\n");
        Block(text, indent + "    ", value!);
    }

    private static void Block(StringBuilder text, string indent, object value)
    {
        if (value is IDictionary d)
        {
            foreach (var k in Fields(d))
            {
                Input(text, indent, k, d[k]);
            }
            return;
        }
        foreach (var item in (IEnumerable)value)
        {
            var line = Format(item);
            if (line.Length <= BlockOver || !IsStructure(item))
            {
                text.Append(indent).Append("- ").Append(line).Append('\n');
                continue;
            }
            text.Append(indent).Append("-\n");
            Block(text, indent + "  ", item!);
        }
    }

    /// <summary>Past this many characters, a structure prints as a block.</summary>
    private const int BlockOver = 160;

    internal static bool IsStructure(object? value) => value is IDictionary or (IEnumerable and not string);

    // Unset fields of an input type arrive as nulls: leave them out.
    private static IEnumerable<string> Fields(IDictionary d) =>
        d.Keys.Cast<object>().Where(k => d[k] is not null).Select(k => k.ToString()!).Order(StringComparer.Ordinal);

    private static string Structure(object value) => value switch
    {
        IDictionary d => "{" + string.Join(", ", Fields(d).Select(k => $"{k}: {Format(d[k])}")) + "}",
        IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Format)) + "]",
        _ => "",
    };

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha();

    /// <summary>What an operator sees when the stack's config is wrong: the errors and nothing else.</summary>
    public static string Errors(LabConfigException e) => e.Message + "\n";
}
