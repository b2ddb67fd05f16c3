using Lab.Components.Backups;
using Lab.Model.Spec;
using Pulumi;
using Pulumi.Command.Remote;

namespace Lab.Components.Tests;

public class BackupScheduleTests
{
    private const string Command = "command:remote:Command";

    [Fact]
    public async Task Prod_backs_up_on_the_control_node_after_vault_agent_and_on_the_nas_after_its_exports()
    {
        var plan = await Lab.Plan(Lab.Prod);
        Assert.Null(plan.Single(BackupSchedule.TypeToken, "backups").ParentName);
        var steps = plan.OfType(Command).Where(r => r.ParentName == "backups").ToList();
        Assert.Equal(["zenon-backups", "qnap-backups"], steps.Select(s => s.Name));
        // The control node's chain ends with the raft snapshot's agent (prod backs Vault up).
        Assert.Equal(["zenon-vault-agent-snapshot"], steps[0].DependsOn.ToArray());
        Assert.Equal(new[] { "qnap-exports", "zenon-backups" }.Order(), steps[1].DependsOn.Order());
    }

    [Fact]
    public async Task The_password_vault_agent_wrote_on_the_control_node_reaches_the_nas_only_on_stdin_and_stays_secret()
    {
        var mocks = new HealthyLabMocks(Lab.Prod);
        var plan = await Lab.Plan(Lab.Prod, mocks);
        var control = plan.Single(Command, "zenon-backups");
        Assert.Equal(["connection", "stderr", "stdout"], control.SecretOutputs.ToArray());
        Assert.Equal("none", control.Inputs["logging"]);

        var nas = plan.Single(Command, "qnap-backups");
        var args = (CommandArgs)mocks.ArgsOf(Command, "qnap-backups");
        Assert.True(await Output.IsSecretAsync(args.Stdin!.ToOutput()));
        Assert.EndsWith($"main </dev/null; fi\n{HealthyLabMocks.RepositoryPasswordB64}\n", (string)nas.Sent["stdin"]);
        Assert.Equal("[secret]", nas.Inputs["stdin"]);
        Assert.Equal(["connection", "stderr", "stdout"], nas.SecretOutputs.ToArray());
        Assert.Equal("none", nas.Inputs["logging"]);

        var schedule = (BackupSchedule)mocks.Declared(BackupSchedule.TypeToken, "backups");
        Assert.Equal(6, await schedule.Timers.GetValueAsync());
    }

    [Fact]
    public async Task A_stack_without_backups_has_no_backup_component()
    {
        var plan = await Lab.Plan(Lab.Prod with { Config = Lab.Prod.Config.Where(kv => kv.Key != ConfigKeys.Backups).ToDictionary() });
        Assert.Empty(plan.OfType(BackupSchedule.TypeToken));
        Assert.DoesNotContain(plan.OfType(Command), c => c.Name.EndsWith("-backups", StringComparison.Ordinal));
    }
}
