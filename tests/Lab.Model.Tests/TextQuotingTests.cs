using System.Text.RegularExpressions;
using Lab.Model.Artifacts;
using Lab.Model.Text;
using YamlDotNet.RepresentationModel;

namespace Lab.Model.Tests;

/// <summary>One escaping function per language the program writes, each tried with hostile strings.</summary>
public class TextQuotingTests
{
    public static TheoryData<string> Hostile => ScriptDataTests.Hostile;

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Yaml_quoting_reads_back_as_the_same_string_and_never_as_structure(string value)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader($"key: {Yaml.Quote(value)}\nafter: 1\n"));
        var root = (YamlMappingNode)stream.Documents.Single().RootNode;
        Assert.Equal(2, root.Children.Count);
        Assert.Equal(value, ((YamlScalarNode)root.Children[new YamlScalarNode("key")]).Value);
    }

    [Theory]
    [InlineData("*alias")]
    [InlineData("&anchor x")]
    [InlineData("!!python/object x")]
    [InlineData("key: value")]
    [InlineData("- item")]
    [InlineData("{a: 1}")]
    public void Yaml_quoting_keeps_yaml_syntax_as_text(string value) => Yaml_quoting_reads_back_as_the_same_string_and_never_as_structure(value);

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Hcl_quoting_is_one_string_literal_with_no_template_sequence(string value)
    {
        var quoted = Hcl.Quote(value);
        Assert.Matches(@"\A""([^""\\$%\x00-\x1f]|\\[""\\]|\\u[0-9a-f]{4})*""\z", quoted);
        Assert.Equal(value, Unescape(quoted));
    }

    [Theory]
    [InlineData("${file(\"/etc/shadow\")}", "\"\\u0024{file(\\\"/etc/shadow\\\")}\"")]
    [InlineData("%{ if true }x%{ endif }", "\"\\u0025{ if true }x\\u0025{ endif }\"")]
    [InlineData("a\"b", "\"a\\\"b\"")]
    public void Hcl_quoting_spells_out_template_sequences(string value, string quoted) => Assert.Equal(quoted, Hcl.Quote(value));

    [Theory]
    [InlineData("/share/lab/results", "/share/lab/results")]
    [InlineData("/share/with space", @"/share/with\040space")]
    [InlineData("/share/x *(rw,no_root_squash)", @"/share/x\040\052\050rw\054no_root_squash\051")]
    [InlineData("/share/a\nb", @"/share/a\012b")]
    [InlineData("/share/ü", @"/share/\303\274")]
    public void Exports_paths_escape_everything_but_plain_path_characters_in_octal(string path, string field) =>
        Assert.Equal(field, Exports.Path(path));

    [Theory]
    [InlineData("Lab NFS export 100%", "Lab NFS export 100%%")]
    [InlineData("%n%H", "%%n%%H")]
    public void Systemd_values_double_their_specifiers(string value, string unitValue) => Assert.Equal(unitValue, Systemd.Value(value));

    [Theory]
    [InlineData("two\nlines")]
    [InlineData("continued\\")]
    [InlineData("nul\0")]
    public void Systemd_values_that_could_end_or_continue_a_line_are_refused(string value) =>
        Assert.Throws<ArgumentException>(() => Systemd.Value(value));

    [Theory]
    [InlineData("bare-metal-node/derpy/20-os.sh", true)]
    [InlineData("../outside.sh", false)]
    [InlineData("vault-agent/../../outside", false)]
    [InlineData("/etc/passwd", false)]
    [InlineData("a//b", false)]
    [InlineData("a/./b", false)]
    [InlineData("", false)]
    public void Rendered_artifacts_stay_inside_the_output_folder(string relative, bool allowed)
    {
        var root = Path.Combine(Path.GetTempPath(), "lab-render-root");
        var full = ArtifactPath.Under(root, relative);
        Assert.Equal(allowed, full is not null);
        if (full is not null)
        {
            Assert.StartsWith(root + Path.DirectorySeparatorChar, full);
        }
    }

    /// <summary>HCL's string escapes (the subset Hcl.Quote writes), decoded.</summary>
    [Fact]
    public void Promql_literals_stay_one_label_value_under_the_real_promtool()
    {
        var values = ((IEnumerable<object[]>)ScriptDataTests.Hostile).Select(row => (string)row[0]).Where(v => !v.Any(char.IsSurrogate)).ToList();
        var rules = new System.Text.StringBuilder("groups:\n  - name: quoting\n    rules:\n");
        foreach (var (value, i) in values.Select((v, i) => (v, i)))
        {
            // A label value comes back unchanged, and a regex of literals matches exactly those literals.
            Assert.Equal(value, System.Text.Json.JsonSerializer.Deserialize<string>(Promql.Quote(value)));
            var regex = System.Text.Json.JsonSerializer.Deserialize<string>(Promql.AnyOf([value, "/mnt/a.b"]))!;
            Assert.Matches($"\\A(?:{regex})\\z", value);
            Assert.DoesNotMatch($"\\A(?:{regex})\\z", "/mnt/aXb");
            rules.Append($"      - alert: {Yaml.Quote($"Q{i}")}\n        expr: {Yaml.Quote($"up{{job={Promql.Quote(value)},mountpoint=~{Promql.AnyOf([value, "/mnt/a.b"])}}} == {Promql.Number(0.05)}")}\n");
        }
        var file = Path.Combine(Directory.CreateTempSubdirectory("lab-promql-").FullName, "quoting.rules.yaml");
        File.WriteAllText(file, rules.ToString());
        var (code, output) = Tools.Run("promtool", ["check", "rules", file]);
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        Assert.True(code == 0, output);
        Assert.Contains($"SUCCESS: {values.Count} rules found", output);
    }

    private static string Unescape(string quoted) =>
        Regex.Replace(quoted[1..^1], @"\\(u[0-9a-f]{4}|.)", m => m.Groups[1].Value.Length == 5
            ? ((char)Convert.ToInt32(m.Groups[1].Value[1..], 16)).ToString()
            : m.Groups[1].Value);
}
