namespace Lab.Components.Tests;

/// <summary>
/// Every operator tool (scripts/plan, plan --diff, render, verdict) over every shipped stack file and a gate-off
/// variant of prod: each answers with its own output and exit code, never a .NET stack trace. Here, beside the
/// Pulumi mock tests, since plan and render run the Pulumi program: the Pulumi-free tests run without those packages.
/// </summary>
public class OperatorToolsTests
{
    public static TheoryData<string> Stacks() => ["Pulumi.dev.yaml", "stacks/Pulumi.prod.yaml", "stacks/Pulumi.box.yaml", "gate off"];

    [Theory]
    [MemberData(nameof(Stacks))]
    public void No_operator_tool_crashes_on_a_stack_the_loader_accepts(string stack)
    {
        var dir = Directory.CreateTempSubdirectory("lab-tools-");
        try
        {
            var file = Path.Combine(Lab.Root, stack);
            if (stack == "gate off")
            {
                file = Path.Combine(dir.FullName, "Pulumi.gateoff.yaml");
                File.WriteAllText(file, File.ReadAllText(Path.Combine(Lab.Root, "stacks", "Pulumi.prod.yaml")).Replace("\n    mode: enforce\n", "\n    mode: off\n", StringComparison.Ordinal));
                var gateOff = global::Lab.Model.Spec.StackFile.Read(file);
                Assert.Equal(global::Lab.Model.Spec.GateMode.Off, global::Lab.Model.Spec.LabSpecLoader.Load(gateOff.Stack, gateOff.Config, gateOff.SecretKeys).Validation.Mode);
            }
            // Saved collector output of a run where one Job completed without results: no check was measured.
            var results = Path.Combine(dir.FullName, "results.txt");
            File.WriteAllText(results, "LAB_JOB job=inference-p95-00000000 status=complete\n");

            var runs = new (string[] Args, int Expected, string Says)[]
            {
                (["scripts/plan", file], 0, "resources:"),
                (["scripts/plan", "--diff", file, file], 0, "unchanged; no remote step runs."),
                (["scripts/render", file, Path.Combine(dir.FullName, "out")], 0, "Kubernetes objects for stack"),
                (["scripts/verdict", file, results], 1, "checks could not be measured"),
            };
            foreach (var (args, expected, says) in runs)
            {
                var run = ScriptRunner.Run(["bash", .. args], timeout: TimeSpan.FromMinutes(10), workingDirectory: Lab.Root);
                var (code, output) = (run.Code, run.Output);
                Assert.DoesNotContain("Unhandled exception", output);
                Assert.DoesNotMatch(@"(?m)^\s+at [A-Z][\w.]+\(", output);
                Assert.True(code == expected, $"{string.Join(' ', args)} exited {code}, expected {expected}:\n{output}");
                Assert.Contains(says, output);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
