using System.Collections.Immutable;
using Lab.Model.Text;

namespace Lab.Model.Tests;

/// <summary>The data block is the only way values reach a script: bash must read back exactly what went in, and run none of it.</summary>
public class ScriptDataTests
{
    public static readonly TheoryData<string> Hostile =
    [
        "plain",
        "it's",
        "'; touch /tmp/lab-pwned; echo '",
        "$(touch /tmp/lab-pwned)",
        "`touch /tmp/lab-pwned`",
        "${HOME}",
        "a\nEOF\ntouch /tmp/lab-pwned\n",
        "trailing newline\n",
        "back\\slash\\",
        "\"double\" quotes",
        "tab\there",
        "ünïcödé ° Ⅳ",
        "-n",
        "*",
        "",
    ];

    private sealed record Sample(string Text, int Count, bool Flag, ImmutableArray<string> Items);

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Bash_reads_back_exactly_the_value_and_runs_none_of_it(string value)
    {
        var marker = Path.Combine(Path.GetTempPath(), "lab-pwned");
        File.Delete(marker);
        var script = ScriptData.Render(new Sample(value, 42, true, [value, "second", value])) +
            "printf '%s\\0' \"$text\" \"$count\" \"$flag\" \"${#items[@]}\" \"${items[@]}\"\n";
        var (code, output) = Bash(script);
        Assert.Equal(0, code);
        Assert.Equal([value, "42", "true", "3", value, "second", value], output.Split('\0')[..^1]);
        Assert.False(File.Exists(marker), "a data value ran as code");
    }

    [Fact]
    public void Every_value_is_readonly_so_a_body_cannot_change_its_input()
    {
        var (code, output) = Bash(ScriptData.Render(new Sample("x", 1, false, ["a"])) + "text=y\n");
        Assert.NotEqual(0, code);
        Assert.Contains("readonly variable", output);
    }

    [Fact]
    public void Names_are_the_records_properties_in_snake_case_in_declaration_order()
    {
        Assert.Equal(["text", "count", "flag", "items"], ScriptData.Values(new Sample("x", 1, false, ["a"])).Select(v => v.Name));
        Assert.Equal("[a, b]", ScriptData.Values(new Sample("x", 1, false, ["a", "b"]))[3].Display);
    }

    private sealed record Unsupported(double Ratio);

    [Fact]
    public void A_value_of_another_type_is_refused_rather_than_guessed()
    {
        var error = Assert.Throws<ArgumentException>(() => ScriptData.Render(new Unsupported(1.5)));
        Assert.Contains("Unsupported.Ratio", error.Message);
    }

    private static (int Code, string Output) Bash(string script)
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "set -euo pipefail\n" + script);
        try
        {
            return Tools.Run("bash", [file]);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
