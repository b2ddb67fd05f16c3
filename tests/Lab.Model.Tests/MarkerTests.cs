using Lab.Model.Artifacts;
using Lab.Model.Text;

namespace Lab.Model.Tests;

/// <summary>
/// Data never becomes code: with a marker in every string the stack lets an operator choose, every rendered artifact
/// carries the marker only where its language keeps it data — a script's data block, an HCL or YAML quoted string, a
/// unit file's value, an exports path field.
/// </summary>
public class MarkerTests
{
    private const string Marker = "zqmark";

    [Fact]
    public void The_marker_appears_only_inside_data_blocks_or_escaped_data()
    {
        var artifacts = LabArtifacts.Render(MarkedStack.Load(Marker)).ToList();
        Assert.Contains(artifacts, a => a.Content.Contains(Marker, StringComparison.Ordinal));
        var misplaced = artifacts.SelectMany(a => Misplaced(a).Select(line => $"{a.Path}: {line}")).ToList();
        Assert.True(misplaced.Count == 0, "marker outside data:\n" + string.Join("\n", misplaced.Take(20)));
    }

    [Fact]
    public void The_check_finds_a_marker_interpolated_into_code()
    {
        // Proves the test above can fail: a script that puts a value into a command line is reported.
        var leaky = new Artifact("x/leaky.sh", $"#!/usr/bin/env bash\n{ScriptData.Begin}\nreadonly a='{Marker}'\n{ScriptData.End}\nrm -rf /srv/{Marker}\n");
        Assert.Equal([$"rm -rf /srv/{Marker}"], Misplaced(leaky));
        Assert.Single(Misplaced(new Artifact("x/p.hcl", $"path {Marker} {{\n}}\n")));
        Assert.Single(Misplaced(new Artifact("x/u.mount", $"[{Marker}]\nWhat=x\n")));
    }

    /// <summary>Lines of the artifact where the marker stands outside what its language keeps as data.</summary>
    private static IReadOnlyList<string> Misplaced(Artifact artifact)
    {
        var lines = artifact.Content.Split('\n');
        var extension = Path.GetExtension(artifact.Path);
        if (extension == ".sh")
        {
            var begin = Array.IndexOf(lines, ScriptData.Begin);
            // The last end: a step that installs a script (lab-backup) carries that script's own block inside its data.
            var end = Array.LastIndexOf(lines, ScriptData.End);
            return [.. lines.Where((line, i) => line.Contains(Marker, StringComparison.Ordinal) && !(begin >= 0 && i > begin && i < end))];
        }
        return [.. lines.Where(line => line.Contains(Marker, StringComparison.Ordinal) && !InData(extension, line))];
    }

    private static bool InData(string extension, string line) => extension switch
    {
        ".hcl" or ".ctmpl" or ".yaml" or ".yml" or ".json" or ".toml" => OnlyInsideDoubleQuotes(line),
        ".mount" or ".automount" or ".service" or ".timer" => line.IndexOf('=') is > 0 and var eq && line.IndexOf(Marker, StringComparison.Ordinal) > eq && !line.StartsWith('['),
        ".exports" => !line.StartsWith('#') && line.IndexOf(' ') is var space && space > 0 && line.LastIndexOf(Marker, StringComparison.Ordinal) < space,
        _ => false,
    };

    /// <summary>Every occurrence of the marker lies inside a double-quoted string (backslash escapes honoured).</summary>
    private static bool OnlyInsideDoubleQuotes(string line)
    {
        var inside = new bool[line.Length];
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            if (quoted && line[i] == '\\')
            {
                inside[i] = true;
                if (i + 1 < line.Length)
                {
                    inside[++i] = true;
                }

                continue;
            }
            if (line[i] == '"')
            {
                quoted = !quoted;
                continue;
            }
            inside[i] = quoted;
        }
        for (var at = line.IndexOf(Marker, StringComparison.Ordinal); at >= 0; at = line.IndexOf(Marker, at + 1, StringComparison.Ordinal))
        {
            if (!inside[at])
            {
                return false;
            }
        }
        return true;
    }
}
