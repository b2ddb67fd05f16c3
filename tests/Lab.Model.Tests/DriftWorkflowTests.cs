using YamlDotNet.RepresentationModel;
using static Lab.Model.Tests.WorkflowYaml;

namespace Lab.Model.Tests;

/// <summary>The scheduled drift check, read from .github/workflows/drift.yml itself: what GitHub would run, where, with what.</summary>
public class DriftWorkflowTests
{
    private static YamlMappingNode Workflow() => WorkflowYaml.Load("drift.yml");

    private static YamlMappingNode Job() => WorkflowYaml.Job(Workflow(), "drift");

    private static IEnumerable<YamlMappingNode> Steps() => WorkflowYaml.Steps(Job());

    [Fact]
    public void It_runs_on_a_schedule_or_by_hand_never_for_a_pull_request()
    {
        var on = (YamlMappingNode)Workflow()["on"];
        Assert.Equal(["schedule", "workflow_dispatch"], on.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        var cron = Scalar((YamlMappingNode)((YamlSequenceNode)on["schedule"]).Children.Single(), "cron")!;
        Assert.Equal(5, cron.Split(' ').Length);
        Assert.Equal("read", Scalar((YamlMappingNode)Workflow()["permissions"], "contents"));
        Assert.Single(((YamlMappingNode)Workflow()["permissions"]).Children);
    }

    [Fact]
    public void It_checks_every_shipped_stack_on_the_lab_runner_and_posts_the_report()
    {
        Assert.Equal(["self-hosted", "lab"], Scalars(Job()["runs-on"]));
        var stacks = Scalars(((YamlMappingNode)((YamlMappingNode)Job()["strategy"])["matrix"])["stack"]).ToHashSet();
        Assert.Equal(Repo.StackFiles.Where(f => !f.EndsWith("Pulumi.box.yaml", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(Repo.Root, f)).ToHashSet(), stacks);
        var run = Scalar(Steps().Single(s => Scalar(s, "name") == "scripts/drift"), "run")!;
        Assert.Contains("scripts/drift \"$STACK_FILE\" ${PUSHGATEWAY:+--push \"$PUSHGATEWAY\"}", run);
        Assert.Contains(">>\"$GITHUB_STEP_SUMMARY\"", run);
        // The job's result is the check's: drift fails it.
        Assert.EndsWith("exit \"$rc\"\n", run);
    }

    [Fact]
    public void The_ssh_key_reaches_only_the_drift_step_from_its_environment_and_is_removed_after_it()
    {
        Assert.Equal("lab-drift", Scalar(Job(), "environment"));
        var withSecrets = Steps().Where(s => Scalars(s).Any(t => t.Contains("secrets.", StringComparison.Ordinal))).ToList();
        Assert.Equal(["scripts/drift"], withSecrets.Select(s => Scalar(s, "name")));
        var run = Scalar(withSecrets[0], "run")!;
        Assert.Contains("(umask 077 && printf '%s\\n' \"$LAB_DRIFT_SSH_KEY\" >\"$key\")", run);
        Assert.Contains("rm -f \"$key\"", run);
        Assert.All(Steps().Where(s => Scalar(s, "uses")?.StartsWith("actions/checkout@", StringComparison.Ordinal) == true),
            s => Assert.Equal("false", Scalar((YamlMappingNode)s["with"], "persist-credentials")));
    }
}
