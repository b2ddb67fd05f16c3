using Lab.Model.Spec;
using Lab.Plan;

namespace Lab.Components.Tests;

/// <summary>Pinned host keys reach every SSH connection of the program, and the plan shows each one's fingerprint.</summary>
public class HostKeyTests
{
    private const string Command = "command:remote:Command";

    /// <summary>A distinct, well-formed ed25519 key line per machine.</summary>
    private static string Key(int machine)
    {
        var blob = Convert.FromBase64String("AAAAC3NzaC1lZDI1NTE5AAAAIJWsMiMtKucduyLXIeVR4tDBP9b3oHYWb45907tXebo8");
        blob[^1] = (byte)machine;
        return $"ssh-ed25519 {Convert.ToBase64String(blob)}";
    }

    private static StackFile PinnedProd() => Lab.Prod
        .Edit(ConfigKeys.Ssh, s => s["hostKeys"] = "pinned")
        .Edit(ConfigKeys.Nodes, n =>
        {
            for (var i = 0; i < 4; i++)
            {
                n[i]!["hostKey"] = Key(i);
            }
        })
        .Edit(ConfigKeys.Nas, n => n["hostKey"] = Key(9));

    private static string? HostKeyOf(PlannedResource step) =>
        ((IDictionary<string, object>)step.Inputs["connection"]).TryGetValue("hostKey", out var key) ? (string)key : null;

    private static string HostOf(PlannedResource step) => (string)((IDictionary<string, object>)step.Inputs["connection"])["host"];

    [Fact]
    public async Task Every_connection_checks_the_key_of_the_machine_it_reaches()
    {
        var file = PinnedProd();
        var lab = LabSpecLoader.Load("prod", file.Config, file.SecretKeys);
        var keyOf = lab.Nodes.ToDictionary(n => n.Host.ToString(), n => n.HostKey!.Line);
        keyOf[lab.Nas.Host.ToString()] = lab.Nas.HostKey!.Line;

        var steps = (await Lab.Plan(file)).OfType(Command).ToList();
        // Node chains, NAS exports, cluster installs and joins, the validation collector: every one.
        Assert.Contains(steps, s => s.ParentType == "lab:storage:NasStorage");
        Assert.Contains(steps, s => s.Name.EndsWith("-join", StringComparison.Ordinal));
        Assert.All(steps, s => Assert.Equal(keyOf[HostOf(s)], HostKeyOf(s)));
    }

    [Fact]
    public async Task The_plan_shows_each_connections_fingerprint_or_unpinned()
    {
        var pinned = PlanPrinter.Print(PinnedProd(), await Lab.Plan(PinnedProd()));
        Assert.True(HostKey.TryParse(Key(2), out var derpy, out _));
        Assert.Contains($"connection: {{dialErrorLimit: -1, host: 192.168.50.13, hostKey: {derpy!.Fingerprint}, perDialTimeout: 10, port: 22, user: labops}}", pinned);
        Assert.DoesNotContain("UNPINNED", pinned);
        Assert.DoesNotContain(Key(2).Split(' ')[1], pinned);

        var shipped = PlanPrinter.Print(Lab.Dev, await Lab.Plan(Lab.Dev));
        Assert.Contains("connection: {dialErrorLimit: -1, host: 192.168.50.13, hostKey: UNPINNED, perDialTimeout: 10, port: 22, user: labops}", shipped);
        Assert.DoesNotContain("hostKey: SHA256", shipped);
    }
}
