using System.Collections.Immutable;
using System.Diagnostics;
using Lab.Model.Spec;
using Lab.Plan;

namespace Lab.Components.Tests;

/// <summary>`scripts/plan --diff`: what a change does to the lab, grouped as `pulumi preview --diff` groups it.</summary>
public class PlanDiffTests
{
    private const string Command = "command:remote:Command";
    private static readonly string[] ProdNodes = ["zenon", "gemini-1", "derpy", "rocinate"];

    [Fact]
    public async Task The_same_stack_on_both_sides_changes_nothing_and_runs_nothing()
    {
        var plan = await Lab.Plan(Lab.Prod);
        var changes = PlanDiff.Changes(plan, await Lab.Plan(Lab.Prod));
        Assert.Empty(changes);
        Assert.EndsWith($"\n{plan.Count} unchanged; no remote step runs.\n", PlanDiff.Print("a", "b", changes, plan.Count, new Dictionary<string, string>()));
    }

    [Fact]
    public async Task A_changed_field_of_a_spec_reads_as_its_path_and_a_changed_secret_as_masked_on_both_sides()
    {
        var before = await Lab.Plan(Lab.Prod);
        var moved = await Lab.Plan(Lab.Prod.Edit(ConfigKeys.Slurm, s => s["loginNodePort"] = 30023));
        var cluster = Assert.Single(PlanDiff.Changes(before, moved), c => c.Resource.Name == "slurm-cluster");
        Assert.Contains(cluster.Inputs, i => i.Input == "spec.slurmNodes.login.sshdServiceNodePort" && i.Before == "30022" && i.After == "30023");

        // A seeded KV secret's new value: an update the reviewer sees, the value itself never.
        var seeded = Lab.Dev.Edit(ConfigKeys.Vault, v => v["secrets"]![0]!["seed"] = true);
        var first = await Lab.Plan(seeded.WithSecret(ConfigKeys.VaultSecrets, """{"ngc":{"api_key":"nvapi-old-value"}}"""));
        var second = await Lab.Plan(seeded.WithSecret(ConfigKeys.VaultSecrets, """{"ngc":{"api_key":"nvapi-new-value"}}"""));
        var changes = PlanDiff.Changes(first, second);
        var kv = Assert.Single(changes, c => c.Resource.Name == "vault-kv-ngc");
        Assert.Contains(kv.Inputs, i => i.Input == "dataJson" && i.Before == "[secret]" && i.After == "[secret]");
        var text = PlanDiff.Print("a", "b", changes, second.Count, new Dictionary<string, string>());
        Assert.DoesNotContain("nvapi-", text);
    }

    [Fact]
    public async Task A_driver_bump_replaces_each_nodes_nvidia_step_and_names_the_machines_it_runs_on()
    {
        var bumped = Lab.Prod with { Config = new Dictionary<string, string>(Lab.Prod.Config) { [ConfigKeys.Versions] = Bump(Lab.Prod.Config[ConfigKeys.Versions]) } };
        var before = await Lab.Plan(Lab.Prod);
        var changes = PlanDiff.Changes(before, await Lab.Plan(bumped));

        foreach (var node in ProdNodes)
        {
            var nvidia = Assert.Single(changes, c => c.Resource.Type == Command && c.Resource.Name == $"{node}-nvidia");
            Assert.Equal(ChangeKind.Replace, nvidia.Kind);
            Assert.Equal("triggers changed", nvidia.Cause);
            Assert.Equal("create on the replacement", nvidia.Runs);
            Assert.Contains(nvidia.Inputs, i => i.Input == "stdin");
        }
        // The NAS and Vault are untouched; no other step of a node's own chain runs.
        Assert.DoesNotContain(changes, c => c.Resource.ParentName == "qnap" || c.Resource.Type.StartsWith("vault:", StringComparison.Ordinal));
        Assert.DoesNotContain(changes, c => ProdNodes.Any(n => c.Resource.Name is var name && (name == $"{n}-os" || name == $"{n}-preflight" || name == $"{n}-storage")));

        var machines = new Dictionary<string, string> { ["192.168.50.11"] = "zenon", ["192.168.50.12"] = "gemini-1", ["192.168.50.13"] = "derpy", ["192.168.50.14"] = "rocinate" };
        var text = PlanDiff.Print("prod", "bumped", changes, before.Count, machines);
        Assert.Contains("\nreplaced (", text);
        Assert.Contains("  +- command:remote:Command derpy-nvidia  (triggers changed)\n", text);
        Assert.Contains("derpy (192.168.50.13): ", text);
        Assert.Contains("derpy-nvidia (replace: create on the replacement)", text);
        Assert.Matches(@"\n\d+ to replace.*; \d+ remote step\(s\) run on .*derpy \(192\.168\.50\.13\).*\.\n\z", text);
    }

    [Fact]
    public async Task A_soperator_bump_upgrades_the_CRDs_release_with_the_operator()
    {
        // The stack one release back against the shipped one, as `scripts/plan --diff BASE stacks/Pulumi.prod.yaml` compares them.
        var previous = Lab.Prod.Edit(ConfigKeys.Slurm, s => s["version"] = "4.1.6");
        var changes = PlanDiff.Changes(await Lab.Plan(previous), await Lab.Plan(Lab.Prod));

        // helm upgrade of the CRDs' own release (templates, so the CRDs are upgraded), then of the operator (crds/ skipped).
        var crds = Assert.Single(changes, c => c.Resource.Name == "slurm-soperator-crds");
        Assert.Equal(ChangeKind.Update, crds.Kind);
        Assert.Equal(new InputChange("version", "4.1.6", "4.1.7"), Assert.Single(crds.Inputs, i => i.Input == "version"));
        var soperator = Assert.Single(changes, c => c.Resource.Name == "slurm-soperator");
        Assert.Equal(new InputChange("version", "4.1.6", "4.1.7"), Assert.Single(soperator.Inputs, i => i.Input == "version"));
        Assert.True((bool)soperator.Resource.Inputs["skipCrds"]);
        Assert.Contains("slurm-soperator-crds", soperator.Resource.DependsOn);
    }

    [Fact]
    public async Task Removing_an_export_drops_its_retained_step_without_running_anything_and_rewrites_the_exports_file()
    {
        // Slurm off: the shipped jail lives on the jobs export, which the loader would not let go.
        var prod = Lab.Prod.Edit(ConfigKeys.Slurm, s => s["enabled"] = false);
        var fewer = prod.Edit(ConfigKeys.Nas, n => n["exports"]!.AsArray().RemoveAt(4));
        var changes = PlanDiff.Changes(await Lab.Plan(prod), await Lab.Plan(fewer));

        var dropped = Assert.Single(changes, c => c.Resource.Name == "qnap-export-jobs");
        Assert.Equal(ChangeKind.Delete, dropped.Kind);
        Assert.Null(dropped.Runs);
        Assert.Contains("retainOnDelete", dropped.Cause);
        Assert.Contains(changes, c => c.Resource.ParentName == "qnap" && c.Kind is ChangeKind.Update or ChangeKind.Replace && c.Runs is not null && c.Machine == "192.168.50.20");
    }

    [Fact]
    public void A_changed_script_without_triggers_is_an_update_that_runs_create_again()
    {
        var was = Step("qnap-exports", ("stdin", "#!/usr/bin/env bash\necho a\n"));
        var now = Step("qnap-exports", ("stdin", "#!/usr/bin/env bash\necho b\n"));
        var change = Assert.Single(PlanDiff.Changes([was], [now]));
        Assert.Equal(ChangeKind.Update, change.Kind);
        Assert.Equal("create again", change.Runs);
        Assert.Equal("192.168.50.20", change.Machine);
        Assert.Equal("stdin", Assert.Single(change.Inputs).Input);
    }

    [Fact]
    public void A_renamed_kubernetes_object_is_replaced_and_a_relabelled_one_updated()
    {
        static PlannedResource Job(string name, string label) => Resource("kubernetes:batch/v1:Job", "validation-gpu",
            ("metadata", new Dictionary<string, object> { ["name"] = name, ["labels"] = new Dictionary<string, object> { ["lab"] = label } }));
        var renamed = Assert.Single(PlanDiff.Changes([Job("gpu-a", "x")], [Job("gpu-b", "x")]));
        Assert.Equal(ChangeKind.Replace, renamed.Kind);
        Assert.Equal(("metadata.name", "gpu-a", "gpu-b"), (renamed.Inputs[0].Input, renamed.Inputs[0].Before, renamed.Inputs[0].After));
        Assert.Equal(ChangeKind.Update, Assert.Single(PlanDiff.Changes([Job("gpu-a", "x")], [Job("gpu-a", "y")])).Kind);
    }

    [Fact]
    public void A_stack_file_base_that_does_not_exist_is_named_in_one_line()
    {
        var e = Assert.Throws<PlanInputException>(() => DiffBase.Read("stacks/Pulumi.nope.yaml", Lab.Prod));
        Assert.StartsWith("no stack file stacks/Pulumi.nope.yaml", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task A_revision_base_reads_the_file_as_committed_and_an_unknown_revision_is_named_in_one_line()
    {
        var repo = Directory.CreateTempSubdirectory("lab-diff-base-");
        var cwd = Directory.GetCurrentDirectory();
        try
        {
            Directory.CreateDirectory(Path.Combine(repo.FullName, "stacks"));
            var path = Path.Combine(repo.FullName, "stacks", "Pulumi.prod.yaml");
            File.WriteAllText(path, "config:\n  lab:subnet: 192.168.50.0/24\n");
            Git(repo, "init", "-q");
            Git(repo, "add", ".");
            Git(repo, "-c", "user.name=lab", "-c", "user.email=lab@example.invalid", "commit", "-q", "-m", "base");
            File.WriteAllText(path, "config:\n  lab:subnet: 192.168.60.0/24\n");
            Directory.SetCurrentDirectory(repo.FullName);
            var file = StackFile.Read("stacks/Pulumi.prod.yaml");

            var (committed, label) = DiffBase.Read("git:HEAD", file);
            Assert.Equal("192.168.50.0/24", committed.Config["lab:subnet"]);
            Assert.Equal("prod", committed.Stack);
            Assert.Equal("stacks/Pulumi.prod.yaml at HEAD", label);
            // The committed file has no nodes: its errors are the base's, and said so, not reported as the stack's.
            var broken = await Assert.ThrowsAsync<PlanInputException>(() => DiffBase.PlanAsync(committed, label));
            Assert.StartsWith("the base stacks/Pulumi.prod.yaml at HEAD does not load, so there is nothing to diff against", broken.Message);
            Assert.Contains("  - lab:nodes", broken.Message);

            var unknown = Assert.Throws<PlanInputException>(() => DiffBase.Read("git:no-such-branch", file));
            Assert.StartsWith("unknown revision 'no-such-branch'", unknown.Message);
            Assert.DoesNotContain('\n', unknown.Message);

            var other = StackFile.Parse("dev", "Pulumi.dev.yaml", "config: {}\n");
            var missing = Assert.Throws<PlanInputException>(() => DiffBase.Read("git:HEAD", other));
            Assert.StartsWith("Pulumi.dev.yaml does not exist at revision 'HEAD'", missing.Message);
        }
        finally
        {
            Directory.SetCurrentDirectory(cwd);
            repo.Delete(recursive: true);
        }
    }

    private static string Bump(string versionsJson)
    {
        var versions = System.Text.Json.Nodes.JsonNode.Parse(versionsJson)!;
        versions["nvidiaDriver"] = "580.105.08-0ubuntu0.24.04.1";
        return versions.ToJsonString();
    }

    private static PlannedResource Step(string name, (string Key, object Value) input) => Resource(Command, name,
        ("connection", new Dictionary<string, object> { ["host"] = "192.168.50.20", ["port"] = 22 }), ("create", StepRunner), input);

    private const string StepRunner = "sudo -n /bin/bash -s";

    private static PlannedResource Resource(string type, string name, params (string Key, object Value)[] inputs) => new(
        type, name, null, null, inputs.ToImmutableSortedDictionary(i => i.Key, i => i.Value, StringComparer.Ordinal),
        false, false, [], null, [], $"urn:pulumi:prod::lab-infra::{type}::{name}");

    private static void Git(DirectoryInfo repo, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = repo.FullName, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var git = Process.Start(start)!;
        var error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        Assert.True(git.ExitCode == 0, error);
    }
}
