using YamlDotNet.RepresentationModel;
using static Lab.Model.Tests.WorkflowYaml;

namespace Lab.Model.Tests;

/// <summary>
/// The pull-request workflow keeps secrets away from pull-request code: what GitHub would run is read
/// from .github/workflows/preview.yml itself.
/// </summary>
public class PreviewWorkflowTests
{
    /// <summary>
    /// The inputs each pinned action declares, read from its action.yml at the pinned commit
    /// (pulumi/actions v6.6.1, actions/checkout v4.4.0, actions/setup-dotnet v4.3.1).
    /// </summary>
    private static readonly Dictionary<string, string[]> PinnedInputs = new()
    {
        ["pulumi/actions@8582a9e8cc630786854029b4e09281acd6794b58"] =
        [
            "command", "stack-name", "pulumi-version", "pulumi-version-file", "work-dir", "comment-on-pr", "comment-on-pr-number",
            "comment-on-summary", "github-token", "cloud-url", "secrets-provider", "parallel", "message", "config-map",
            "expect-no-changes", "diff", "replace", "exclude", "exclude-dependents", "target", "target-dependents", "refresh",
            "upsert", "remove", "edit-pr-comment", "color", "exclude-protected", "plan", "suppress-outputs", "suppress-progress",
            "always-include-summary", "continue-on-error", "log-verbosity", "log-flow", "debug",
        ],
        ["actions/checkout@11d5960a326750d5838078e36cf38b85af677262"] =
        [
            "repository", "ref", "token", "ssh-key", "ssh-known-hosts", "ssh-strict", "ssh-user", "persist-credentials", "path", "clean",
            "filter", "sparse-checkout", "sparse-checkout-cone-mode", "fetch-depth", "fetch-tags", "show-progress", "lfs", "submodules",
            "set-safe-directory", "github-server-url", "allow-unsafe-pr-checkout",
        ],
        ["actions/setup-dotnet@67a3573c9a986a3f9c594539f4ab511d57bb3ce9"] =
        ["dotnet-version", "dotnet-quality", "global-json-file", "source-url", "owner", "config-file", "cache", "cache-dependency-path"],
    };

    private static YamlMappingNode Workflow() => WorkflowYaml.Load("preview.yml");

    private static YamlMappingNode Job(string name) => WorkflowYaml.Job(Workflow(), name);

    [Fact]
    public void Only_pull_requests_trigger_it_never_pull_request_target()
    {
        var on = (YamlMappingNode)Workflow()["on"];
        Assert.Equal(["pull_request"], on.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        Assert.Equal("read", Scalar((YamlMappingNode)Workflow()["permissions"], "contents"));
        Assert.Single(((YamlMappingNode)Workflow()["permissions"]).Children);
    }

    [Fact]
    public void The_test_job_has_no_secret_and_never_runs_on_the_lab_runner()
    {
        var test = Job("test");
        Assert.DoesNotContain(Scalars(test), t => t.Contains("secrets.", StringComparison.Ordinal));
        Assert.DoesNotContain(Scalars(test["runs-on"]), t => t == "self-hosted");
        Assert.False(test.Children.ContainsKey(new YamlScalarNode("environment")));
        Assert.Contains(Steps(test), s => Scalar(s, "run") == "scripts/test");
        Assert.DoesNotContain(Scalars(Workflow()), t => t.Contains("secrets.GITHUB_TOKEN", StringComparison.Ordinal));
    }

    [Fact]
    public void Secrets_reach_only_the_preview_steps_of_a_reviewed_same_repository_run()
    {
        var preview = Job("preview");
        Assert.Equal("github.event.pull_request.head.repo.full_name == github.repository", Scalar(preview, "if"));
        Assert.Equal("lab-preview", Scalar(preview, "environment"));
        Assert.Equal("test", Scalar(preview, "needs"));
        Assert.Contains("self-hosted", Scalars(preview["runs-on"]));
        // No job- or workflow-level env: a secret is in a step's env or nowhere.
        Assert.False(preview.Children.ContainsKey(new YamlScalarNode("env")));
        Assert.False(Workflow().Children.ContainsKey(new YamlScalarNode("env")));
        foreach (var step in Steps(preview))
        {
            var run = Scalar(step, "run");
            var usesSecrets = Scalars(step).Any(t => t.Contains("secrets.", StringComparison.Ordinal));
            Assert.True(!usesSecrets || run?.StartsWith("pulumi preview --diff ", StringComparison.Ordinal) == true,
                $"step '{Scalar(step, "name") ?? Scalar(step, "uses")}' gets a secret but is no preview");
        }
        var runs = Steps(preview).Select(s => Scalar(s, "run")).OfType<string>().ToList();
        Assert.Contains("pulumi preview --diff --stack prod --config-file stacks/Pulumi.prod.yaml", runs);
        Assert.Contains("pulumi preview --diff --stack dev --config-file Pulumi.dev.yaml", runs);
    }

    [Fact]
    public void Without_a_lab_runner_the_offline_diff_runs_with_no_token_and_the_job_that_comments_runs_no_pull_request_code()
    {
        var diff = Job("offline-diff");
        Assert.DoesNotContain(Scalars(diff), t => t.Contains("secrets.", StringComparison.Ordinal) || t.Contains("github.token", StringComparison.Ordinal));
        Assert.False(diff.Children.ContainsKey(new YamlScalarNode("permissions")));
        Assert.Contains(Steps(diff), s => Scalar(s, "run")?.Contains("scripts/plan --diff", StringComparison.Ordinal) == true);

        var comment = Job("offline-diff-comment");
        Assert.Equal("offline-diff", Scalar(comment, "needs"));
        Assert.Equal("write", Scalar((YamlMappingNode)comment["permissions"], "pull-requests"));
        // The only job with a write token: no checkout, no action, nothing of the repository run; the diff arrives as data in env.
        Assert.All(Steps(comment), s => Assert.Null(Scalar(s, "uses")));
        Assert.All(Steps(comment), s => Assert.StartsWith("gh pr comment ", Scalar(s, "run")));
        Assert.Equal("${{ needs.offline-diff.outputs.diff }}", Scalar((YamlMappingNode)comment["env"], "BODY"));
    }

    [Fact]
    public void Every_action_is_pinned_by_commit_and_given_only_inputs_its_version_declares()
    {
        var jobs = (YamlMappingNode)Workflow()["jobs"];
        var steps = jobs.Children.Values.Cast<YamlMappingNode>().SelectMany(Steps).Where(s => Scalar(s, "uses") is not null).ToList();
        Assert.Contains(steps, s => Scalar(s, "uses")!.StartsWith("pulumi/actions@", StringComparison.Ordinal));
        foreach (var step in steps)
        {
            var uses = Scalar(step, "uses")!;
            Assert.True(PinnedInputs.TryGetValue(uses, out var inputs), $"{uses} is not pinned to a commit whose action.yml the test knows");
            var given = step.Children.TryGetValue(new YamlScalarNode("with"), out var with)
                ? ((YamlMappingNode)with).Children.Keys.Select(k => ((YamlScalarNode)k).Value!) : [];
            Assert.All(given, input => Assert.True(inputs.Contains(input), $"{uses} has no input '{input}'"));
        }
        // The checkouts leave no token behind for the pull request's code.
        Assert.All(steps.Where(s => Scalar(s, "uses")!.StartsWith("actions/checkout@", StringComparison.Ordinal)),
            s => Assert.Equal("false", Scalar((YamlMappingNode)s["with"], "persist-credentials")));
    }
}
