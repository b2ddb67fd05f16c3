using System.Text.Json.Nodes;
using Lab.Model.Backups;
using Lab.Model.Spec;

namespace Lab.Model.Tests;

/// <summary>lab:backups: what the loader refuses (with its key and the fix), and what BackupJobs renders.</summary>
public class BackupsTests
{
    private static ConfigError Single(IReadOnlyList<ConfigError> errors, string key) => Assert.Single(errors, e => e.Key == key);

    private static Repo.Config Edited(Action<JsonNode> edit) => Repo.ProdConfig().Edit(ConfigKeys.Backups, edit);

    [Fact]
    public void Prod_backs_up_results_and_datasets_on_the_nas_and_the_datastore_and_vault_on_the_control_node()
    {
        var lab = Repo.Prod();
        var machines = BackupJobs.Machines(lab);
        Assert.Equal(["zenon", "qnap"], machines.Select(m => m.Machine));
        Assert.Equal(["datastore", "vault"], machines[0].Items.Select(i => i.Name));
        Assert.Equal(["results", "datasets"], machines[1].Items.Select(i => i.Name));
        Assert.True(machines[0].RunsCheck && machines[0].SharesPassword && !machines[0].PasswordFromControl);
        Assert.True(machines[1].PasswordFromControl && !machines[1].RunsCheck);
        Assert.Equal(86400, lab.Backups!.Items.Single(i => i.Name == "results").RpoSeconds);
        Assert.Equal(new KeepRules(0, 0, 4, 6), lab.Backups.Items.Single(i => i.Name == "datasets").Keep);
    }

    [Theory]
    [InlineData("every day at 2")]
    [InlineData("*-*-* 25:00:00")]
    [InlineData("*-13-* 02:00:00")]
    [InlineData("Sun,Funday *-*-* 04:00")]
    [InlineData("minutely")]
    public void A_schedule_that_is_not_a_calendar_expression_is_refused(string schedule)
    {
        var error = Single(Edited(b => b["items"]![0]!["schedule"] = schedule).Errors(), "lab:backups.items[0].schedule");
        Assert.Contains("is not a systemd calendar expression", error.Problem);
        Assert.Contains("systemd-analyze calendar", error.Fix);
    }

    /// <summary>Every form the loader accepts, systemd accepts; what systemd refuses, the loader refuses (the real tool decides).</summary>
    [Theory]
    [InlineData("daily", true)]
    [InlineData("weekly", true)]
    [InlineData("*-*-* 02,14:00:00", true)]
    [InlineData("Sun,Wed *-*-* 03:00:00", true)]
    [InlineData("Mon..Fri *-*-* 22:30", true)]
    [InlineData("Sat 05:00", true)]
    [InlineData("2026-*-01 00:00:00", true)]
    [InlineData("*-*-* 25:00:00", false)]
    [InlineData("*-*-* 02:61:00", false)]
    [InlineData("Funday 02:00", false)]
    [InlineData("every day", false)]
    [InlineData("*-*-* 14..02:00:00", false)]
    public void The_loader_agrees_with_systemd_analyze_calendar(string expression, bool valid)
    {
        var (code, output) = Tools.Run("systemd-analyze", ["calendar", expression]);
        Assert.True((code == 0) == valid, $"systemd-analyze calendar '{expression}' exited {code}: {output}");
        Assert.Equal(valid, LabSpecLoader.IsCalendar(expression));
    }

    [Fact]
    public void A_retention_that_keeps_nothing_is_refused()
    {
        var error = Single(Edited(b => b["items"]![1]!["keep"] = new JsonObject { ["weekly"] = 0 }).Errors(), "lab:backups.items[1].keep");
        Assert.Contains("keeps nothing", error.Problem);
        Assert.Contains("keep at least one snapshot", error.Fix);
    }

    [Theory]
    [InlineData("sftp:restic:hunter2@10.16.207.218:/srv/restic/lab", "carries a password")]
    [InlineData("rest:https://restic:hunter2@10.16.207.218:8000/lab", "carries a user name or password")]
    [InlineData("s3:https://s3.amazonaws.com/lab-backups", "S3 repository")]
    [InlineData("/srv/restic/lab", "not a restic repository on another machine")]
    public void A_repository_with_credentials_or_on_no_other_machine_is_refused(string repository, string problem)
    {
        var error = Single(Edited(b => b["repository"] = repository).Errors(), "lab:backups.repository");
        Assert.Contains(problem, error.Problem);
        Assert.DoesNotContain("hunter2", error.Problem + error.Fix);
    }

    [Fact]
    public void A_backed_up_export_that_does_not_exist_is_refused()
    {
        var error = Single(Edited(b => b["items"]![0]!["export"] = "checkpoints").Errors(), "lab:backups.items[0].export");
        Assert.Contains("'checkpoints' is not an export of lab:nas.exports", error.Problem);
        Assert.Contains("datasets, models, results", error.Fix);
    }

    [Fact]
    public void Vault_on_file_storage_is_refused_with_the_offline_backup_to_do_instead()
    {
        var error = Single(Edited(b =>
        {
            b["vaultStorage"] = "file";
            b["items"]!.AsArray().Add(new JsonObject { ["name"] = "vault", ["source"] = "vault", ["schedule"] = "daily", ["rpo"] = "24h", ["keep"] = new JsonObject { ["daily"] = 7 } });
        }).Errors(), "lab:backups.items[3].source");
        Assert.Contains("file storage has no online snapshot", error.Problem);
        Assert.Contains("docs/runbooks/backups.md#vault-with-file-storage", error.Fix);
    }

    [Fact]
    public void Vault_on_raft_is_snapshotted_on_the_control_node_by_its_own_agent_with_its_own_role()
    {
        var lab = Repo.Prod();
        var control = BackupJobs.Machines(lab)[0];
        Assert.Equal(["datastore", "vault"], control.Items.Select(i => i.Name));
        Assert.True(Lab.Model.Vault.VaultSnapshot.Scheduled(lab));
        // The second agent runs after the nodes' one, on the control node only.
        Assert.Equal(["vault-agent", "vault-agent-snapshot"], Lab.Model.Nodes.NodeSteps.Render(lab, lab.ControlNode).Select(s => s.Step).TakeLast(2));
        Assert.All(lab.Workers, w => Assert.DoesNotContain(Lab.Model.Nodes.NodeSteps.Render(lab, w), s => s.Step == "vault-agent-snapshot"));
        var step = Lab.Model.Nodes.NodeSteps.Render(lab, lab.ControlNode).Single(s => s.Step == "vault-agent-snapshot");
        var data = Lab.Model.Text.ScriptData.Read(step.Text).ToDictionary(v => v.Name, v => v.Display);
        Assert.Equal(("vault-agent-snapshot", "/etc/vault-agent-snapshot/role-id", "/etc/vault-agent-snapshot/secret-id", "[/run/vault-agent-snapshot/token]"),
            (data["service"], data["role_id_file"], data["secret_id_file"], data["waits"]));
        // Its credentials come after the script on stdin, as the nodes' agent's do.
        Assert.Contains("IFS= read -r role_id && IFS= read -r secret_id", step.Text);
        var config = Lab.Model.Vault.VaultSnapshot.AgentConfig(lab.Vault);
        Assert.Contains("path = \"/run/vault-agent-snapshot/token\"", config);
        Assert.Contains("role_id_file_path                   = \"/etc/vault-agent-snapshot/role-id\"", config);
        Assert.DoesNotContain("template {", config);
        // lab-backup reads that sink, Vault's address and the lab CA from its data block.
        var runtime = Lab.Model.Text.ScriptData.Read(BackupJobs.RuntimeScript(lab, control)).ToDictionary(v => v.Name, v => v.Display);
        Assert.Equal(("https://192.168.50.20:8200", "/usr/local/share/ca-certificates/ai-lab-ca.crt", "/run/vault-agent-snapshot/token"),
            (runtime["vault_address"], runtime["vault_ca"], runtime["vault_token"]));
        Assert.Equal("[datastore, vault]", runtime["kinds"]);
        // The role lives as long as the nodes' role, rotated with lab:vault.rotation.
        var role = Lab.Model.Vault.VaultSnapshot.Role(lab.Vault);
        var node = lab.Vault.Role(lab.Vault.NodeRole);
        Assert.Equal((node.TokenTtlSeconds, node.TokenMaxTtlSeconds, node.SecretIdTtlSeconds, node.SecretIdNumUses),
            (role.TokenTtlSeconds, role.TokenMaxTtlSeconds, role.SecretIdTtlSeconds, role.SecretIdNumUses));
        Assert.Empty(role.Read);
        // Without a vault item, neither the role nor the agent.
        Assert.False(Lab.Model.Vault.VaultSnapshot.Scheduled(Repo.Dev()));
    }

    [Theory]
    [InlineData("sys/storage/raft/snapshot", "read")]
    [InlineData("sys/storage/raft/snapshot-force", "")]
    [InlineData("sys/storage/raft/snapshot/extra", "")]
    [InlineData("sys/storage/raft/snapshot-auto/config/daily", "")]
    [InlineData("sys/storage/raft/configuration", "")]
    [InlineData("sys/storage/raft/remove-peer", "")]
    [InlineData("sys/seal", "")]
    [InlineData("sys/policies/acl/vault-snapshot-policy", "")]
    [InlineData("auth/token/create", "")]
    [InlineData("auth/approle/role/vault-snapshot/secret-id", "")]
    [InlineData("secret/data/restic", "")]
    [InlineData("cubbyhole/x", "")]
    public void The_snapshot_policy_allows_read_on_the_snapshot_path_and_nothing_else(string path, string capabilities)
    {
        var policy = Lab.Model.Vault.PolicyEvaluator.Parse(Lab.Model.Vault.VaultSnapshot.Policy());
        Assert.Equal(capabilities, string.Join(",", policy.Capabilities(path).Order()));
        Assert.Equal(["sys/storage/raft/snapshot"], policy.Paths);
    }

    [Fact]
    public void A_password_file_vault_agent_does_not_write_is_refused()
    {
        var error = Single(Edited(b => b["passwordFile"] = "/root/restic-password").Errors(), "lab:backups.passwordFile");
        Assert.Contains("not a file vault-agent writes", error.Problem);
        Assert.Contains("lab:vault.agentFiles", error.Fix);
    }

    [Fact]
    public void Backups_without_restic_pinned_are_refused()
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Versions, v => v["osPackages"]!.AsObject().Remove("restic")).Errors();
        Assert.Contains("does not pin restic", Single(errors, "lab:versions.osPackages").Problem);
    }

    [Fact]
    public void A_stack_without_backups_renders_no_backup_step()
    {
        var lab = Repo.ProdConfig().Remove(ConfigKeys.Backups).Load();
        Assert.Null(lab.Backups);
        Assert.Empty(BackupJobs.Machines(lab));
    }

    [Fact]
    public void The_password_reaches_no_rendered_file_and_the_nas_reads_it_on_stdin()
    {
        var lab = Repo.Prod();
        var machines = BackupJobs.Machines(lab);
        var nas = BackupJobs.Setup(lab, machines[1]);
        Assert.EndsWith($"else IFS= read -r {BackupJobs.PasswordFact} && main </dev/null; fi\n", nas.Text, StringComparison.Ordinal);
        var control = BackupJobs.Setup(lab, machines[0]);
        Assert.EndsWith("else main </dev/null; fi\n", control.Text, StringComparison.Ordinal);
        Assert.Contains("readonly share_password='true'", control.Text);
        // The units and lab-backup name the password's file, never its value or a password flag.
        Assert.All(machines.SelectMany(m => BackupJobs.Files(lab, m)), f => Assert.DoesNotContain("RESTIC_PASSWORD=", f.Content));
        Assert.All(machines.SelectMany(m => BackupJobs.Files(lab, m)).Where(f => f.Path.EndsWith(".service", StringComparison.Ordinal)),
            f => Assert.Contains("ProtectSystem=strict", f.Content));
    }
}

/// <summary>The backup alerts under the real promtool, on the series shape the Pushgateway exposes (BackupSeries).</summary>
public class BackupAlertTests
{
    [Fact]
    public void An_age_past_the_rpo_raises_BackupOlderThanRPO_and_a_fresh_backup_clears_it()
    {
        // results: RPO 24 h (the prod stack). The last good backup at minute 0; the next one at minute 1500 (25 h).
        var tests = $"""
            rule_files: [{Lab.Model.Monitoring.AlertRuleGroups.FileName}]
            evaluation_interval: 1m
            tests:
              - interval: 1m
                input_series:
                  - series: '{BackupSeries.Item("lab_backup_last_success_timestamp_seconds", "results", "")[..^1]}'
                    values: '0x1499 90000x60'
                  - series: '{BackupSeries.Item("lab_backup_rpo_seconds", "results", "")[..^1]}'
                    values: '86400x1560'
                alert_rule_test:
                  - eval_time: 1435m
                    alertname: BackupOlderThanRPO
                    exp_alerts: []
                  - eval_time: 1446m
                    alertname: BackupOlderThanRPO
                    exp_alerts:
                      - exp_labels: {Labels()}
                        exp_annotations: {Annotations()}
                  - eval_time: 1510m
                    alertname: BackupOlderThanRPO
                    exp_alerts: []
              - interval: 1m
                input_series:
                  - series: '{BackupSeries.Item("lab_backup_rpo_seconds", "datasets", "")[..^1]}'
                    values: '604800x10'
                alert_rule_test:
                  - eval_time: 6m
                    alertname: BackupOlderThanRPO
                    exp_alerts:
                      - exp_labels: {Labels("datasets")}
                        exp_annotations: {Annotations("datasets")}
            """;
        var (code, output) = Promtool(tests);
        Assert.True(code == 0, $"promtool test rules:\n{output}");
    }

    private static string Labels(string item = "results") =>
        "{" + string.Join(", ", BackupSeries.ItemLabels(item).Append(new("severity", "critical")).Append(new("lab", "backups"))
            .Select(l => $"{l.Key}: {Lab.Model.Text.Yaml.Quote(l.Value)}")) + "}";

    /// <summary>The rendered rule's annotations, its {{ $labels.item }} filled in as Prometheus does.</summary>
    private static string Annotations(string item = "results") =>
        "{" + string.Join(", ", Lab.Model.Monitoring.AlertRuleGroups.Groups(Repo.Prod()).SelectMany(g => g.Rules).Single(r => r.Alert == "BackupOlderThanRPO").Annotations
            .Select(a => $"{a.Key}: {Lab.Model.Text.Yaml.Quote(a.Value.Replace("{{ $labels.item }}", item, StringComparison.Ordinal))}")) + "}";

    private static (int Code, string Output) Promtool(string tests)
    {
        var dir = Directory.CreateTempSubdirectory("lab-backup-alerts-");
        try
        {
            var groups = Lab.Model.Monitoring.AlertRuleGroups.Groups(Repo.Prod());
            File.WriteAllText(Path.Combine(dir.FullName, Lab.Model.Monitoring.AlertRuleGroups.FileName), Lab.Model.Monitoring.AlertRuleGroups.Yaml(groups));
            File.WriteAllText(Path.Combine(dir.FullName, "tests.yaml"), tests);
            return Tools.Run("promtool", ["test", "rules", Path.Combine(dir.FullName, "tests.yaml")]);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
