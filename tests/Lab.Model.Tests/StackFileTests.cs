using Lab.Model.Spec;

namespace Lab.Model.Tests;

public class StackFileTests
{
    [Fact]
    public void Secure_values_are_never_read_only_marked()
    {
        var file = StackFile.Parse("dev", "Pulumi.dev.yaml", """
            config:
              lab:sshPrivateKey:
                secure: v1:abc:def
              lab:subnet: 192.168.50.0/24
            """);
        Assert.Equal(StackFile.SecretMarker, file.Config["lab:sshPrivateKey"]);
        Assert.Equal(["lab:sshPrivateKey"], file.SecretKeys);
        Assert.DoesNotContain("v1:abc", file.ProgramEnvironment()["PULUMI_CONFIG"]);
    }

    [Fact]
    public void Structured_values_become_json_with_yaml_typing()
    {
        var file = StackFile.Parse("dev", "Pulumi.dev.yaml", """
            config:
              lab:nodes:
                - name: derpy
                  rebuild: 2
                  ubuntu: "24.10"
                  release: 24.10
                  pinned: 1:2.6.4-3ubuntu5.1
                  enabled: true
            """);
        Assert.Equal("""[{"name":"derpy","rebuild":2,"ubuntu":"24.10","release":24.10,"pinned":"1:2.6.4-3ubuntu5.1","enabled":true}]""", file.Config["lab:nodes"]);
    }

    [Fact]
    public void The_stack_name_comes_from_the_file_name()
    {
        Assert.Equal("prod", StackFile.Read(Repo.ProdFile).Stack);
        Assert.Equal("dev", StackFile.Read(Repo.DevFile).Stack);
    }

    [Fact]
    public void A_file_that_is_not_a_stack_file_is_refused()
    {
        var e = Assert.Throws<LabConfigException>(() => StackFile.Read(Path.Combine(Repo.Root, "Pulumi.yaml")));
        Assert.Contains("Pulumi.STACK.yaml", e.Errors[0].Fix);
    }

    [Fact]
    public void Broken_yaml_names_the_line()
    {
        var e = Assert.Throws<LabConfigException>(() => StackFile.Parse("dev", "Pulumi.dev.yaml", "config:\n  lab:nodes: [a, b\n"));
        Assert.Contains("is not valid YAML (line", e.Errors[0].Problem);
    }

    [Fact]
    public void A_yaml_error_says_the_parsers_whole_sentence_and_its_line_once()
    {
        var e = Assert.Throws<LabConfigException>(() => StackFile.Parse("dev", "Pulumi.dev.yaml", "config:\n  lab:subnet: 192.168.50.0/24\n  lab:nodes: [a, b\n"));
        var problem = e.Errors[0].Problem;
        Assert.True(problem.StartsWith("is not valid YAML (line 4, column 1: While parsing a flow sequence, did not find expected ',' or ']'.)", StringComparison.Ordinal), problem);
        Assert.DoesNotContain("…", problem);
        Assert.DoesNotContain("Idx:", problem);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("# lab settings to come\n")]
    public void An_empty_stack_file_is_called_empty(string yaml)
    {
        var e = Assert.Throws<LabConfigException>(() => StackFile.Parse("dev", "Pulumi.dev.yaml", yaml));
        Assert.Equal("Pulumi.dev.yaml", e.Errors[0].Key);
        Assert.Equal("is empty (no YAML in it, or only comments).", e.Errors[0].Problem);
        Assert.Contains("git checkout -- Pulumi.dev.yaml", e.Errors[0].Fix);
    }
}
