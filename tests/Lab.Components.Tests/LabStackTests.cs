using Lab.Components.Nodes;
using Lab.Infra;
using Lab.Model.Nodes;
using Lab.Model.Spec;
using Lab.Plan;
using Pulumi;
using Pulumi.Testing;

namespace Lab.Components.Tests;

public class LabStackTests
{
    public static TheoryData<string> ShippedStacks() => new([.. Lab.ShippedStacks.Select(f => f.Path), Lab.Box.Path]);

    private static StackFile Read(string path) => StackFile.Read(path);

    [Theory]
    [MemberData(nameof(ShippedStacks))]
    public async Task Every_shipped_stack_plans_one_node_component_per_node_with_its_chain(string path)
    {
        var file = Read(path);
        var lab = LabSpecLoader.Load(file.Stack, file.Config, file.SecretKeys);
        var plan = await Lab.Plan(file);
        Assert.Equal(lab.Nodes.Select(n => n.Name), plan.OfType(BareMetalNode.TypeToken).Select(r => r.Name));
        foreach (var node in lab.Nodes)
        {
            Assert.Equal(NodeSteps.Render(lab, node).Select(s => $"{node.Name}-{s.Step}"),
                plan.Where(r => r.ParentName == node.Name && r.Type == "command:remote:Command").Select(r => r.Name));
        }
        Assert.Equal(plan.Count, plan.Select(r => r.Key).Distinct().Count());
    }

    [Fact]
    public async Task Invalid_config_stops_before_any_resource_is_declared()
    {
        var mocks = new PlanMocks();
        var bad = Lab.Dev.Edit(ConfigKeys.Nodes, n => n[0]!["host"] = "10.9.9.9");
        var e = await Assert.ThrowsAsync<LabConfigException>(() => Lab.Plan(bad, mocks));
        Assert.Equal("lab:nodes[0].host", Assert.Single(e.Errors).Key);
        Assert.Empty(mocks.Resources());
    }

    [Fact]
    public async Task The_real_program_reports_config_errors_without_a_stack_trace()
    {
        var bad = Lab.Prod.Edit(ConfigKeys.Nodes, n => n[1]!["role"] = "boss");
        var e = await Assert.ThrowsAnyAsync<Exception>(() => RunProgram(bad));
        var run = Assert.IsType<RunException>(e);
        Assert.Contains("lab:nodes[1].role: 'boss' is not a lab role.", run.Message);
    }

    [Fact]
    public async Task A_stack_with_no_config_says_where_the_file_is_and_how_to_point_pulumi_at_it()
    {
        var empty = new StackFile("prod", "stacks/Pulumi.prod.yaml", new Dictionary<string, string>(), new HashSet<string>());
        var e = await Assert.ThrowsAsync<RunException>(() => RunProgram(empty));
        Assert.Contains("pulumi up --stack prod --config-file stacks/Pulumi.prod.yaml", e.Message);
    }

    [Fact]
    public async Task The_plan_prints_the_tree_with_secrets_masked()
    {
        var file = StackFile.Parse("dev", "Pulumi.dev.yaml",
            File.ReadAllText(Path.Combine(Lab.Root, "Pulumi.dev.yaml")).Replace("auth: agent", "auth: key")
            + "  lab:sshPrivateKey:\n    secure: v1:c2FsdA==:Y2lwaGVydGV4dA==\n").Gated();
        var text = PlanPrinter.Print(file, await Lab.Plan(file));
        Assert.Contains("├─ lab:node:BareMetalNode derpy\n│  ├─ command:remote:Command derpy-ready\n", text);
        Assert.Contains("├─ lab:cluster:MicroK8sCluster cluster\n", text);
        Assert.Contains("├─ lab:monitoring:AlertRules lab-alerts\n", text);
        Assert.Contains("└─ lab:validation:ValidationGate validation\n", text);
        Assert.Contains("├─ lab:storage:NasStorage qnap\n│  ├─ command:remote:Command qnap-ready\n", text);
        Assert.Contains("privateKey: [secret]", text);
        Assert.DoesNotContain("Y2lwaGVydGV4dA", text);
        Assert.Contains("dependsOn: derpy-os", text);
        Assert.Matches(@"\n\d+ resources: 1 lab:storage:NasStorage, \d+ command:remote:Command, 1 lab:vault:VaultAccess, .*1 lab:node:BareMetalNode, 1 lab:cluster:MicroK8sCluster", text);
    }

    /// <summary>The program as `pulumi up` runs it: config from the environment, no plan hooks.</summary>
    private static Task RunProgram(StackFile file) =>
        PlanRunner.WithProgramEnvironment(file, () => Deployment.TestAsync<LabStack>(new PlanMocks(), PlanRunner.Options(file)));
}
