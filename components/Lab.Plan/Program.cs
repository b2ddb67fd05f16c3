using Lab.Model.Spec;
using Lab.Plan;

// scripts/plan FILE                     the offline plan of one stack file
// scripts/plan --rebuild NODE FILE      what a DR rebuild of NODE changes (URN per line after the bump command)
// scripts/plan --diff BASE FILE         what changes from BASE (a stack file, or git:REV) to FILE, as `pulumi preview --diff` groups it
// Lab.Plan --objects FILE DIR           every Kubernetes object of the plan as YAML (scripts/render)
try
{
    switch (args)
    {
        case [var path]:
        {
            var file = StackFile.Read(path);
            Console.Out.Write(PlanPrinter.Print(file, await PlanRunner.RunAsync(file)));
            return 0;
        }
        case ["--rebuild", var node, var path]:
        {
            var file = StackFile.Read(path);
            var (rebuild, changed) = await RebuildPlan.ChangesAsync(file, node);
            var lab = LabSpecLoader.Load(file.Stack, file.Config, file.SecretKeys);
            var target = lab.Nodes[rebuild.NodeIndex];
            // Machine-readable for scripts/dr-rebuild: one "key: value" per line.
            Console.Out.WriteLine($"node: {target.Name} {target.Host} {target.Role.ToString().ToLowerInvariant()}");
            Console.Out.WriteLine($"ssh: {lab.Ssh.User} {lab.Ssh.Port}");
            Console.Out.WriteLine($"control: {lab.ControlNode.Name} {lab.ControlNode.Host}");
            Console.Out.WriteLine($"generation: {rebuild.NodeIndex} {rebuild.Generation}");
            Console.Out.WriteLine($"node-key: {target.HostKey?.Line ?? "-"}");
            Console.Out.WriteLine($"control-key: {lab.ControlNode.HostKey?.Line ?? "-"}");
            Console.Out.WriteLine($"bump: {rebuild.ConfigCommand(file.Stack)}");
            foreach (var resource in changed)
            {
                Console.Out.WriteLine($"touch: {resource.Urn}");
            }
            return 0;
        }
        case ["--diff", var baseArg, var path]:
        {
            var file = DiffBase.ReadFile(path);
            var (baseFile, label) = DiffBase.Read(baseArg, file);
            // The stack's own errors first, as its own; then the base's, as the base's.
            var after = await PlanRunner.RunAsync(file);
            var before = await DiffBase.PlanAsync(baseFile, label);
            var changes = PlanDiff.Changes(before, after);
            var machines = new[] { baseFile, file }
                .Select(f => LabSpecLoader.Load(f.Stack, f.Config, f.SecretKeys))
                .SelectMany(lab => lab.Nodes.Select(n => (Host: n.Host.ToString(), n.Name)).Append((Host: lab.Nas.Host.ToString(), lab.Nas.Name)))
                .DistinctBy(m => m.Host)
                .ToDictionary(m => m.Host, m => m.Name);
            var unchanged = after.Count - changes.Count(c => c.Kind != ChangeKind.Delete);
            Console.Out.Write(PlanDiff.Print(label, file.Path, changes, unchanged, machines));
            return 0;
        }
        case ["--objects", var path, var outDir]:
        {
            // scripts/render: every Kubernetes object of the plan, as YAML, beside the rendered artifacts.
            var file = StackFile.Read(path);
            var objects = KubernetesObjects.Render(await PlanRunner.RunAsync(file));
            if (!Lab.Model.Artifacts.ArtifactPath.WriteAll(outDir, objects, Console.Out, Console.Error))
            {
                return 1;
            }
            Console.Out.WriteLine($"{objects.Count} Kubernetes objects for stack '{file.Stack}' in {outDir} (Secrets' data redacted)");
            return 0;
        }
        case ["--update-snapshots", .. var paths]:
        {
            // scripts/update-plans: rewrite the committed plan of each shipped stack.
            foreach (var path in paths)
            {
                var file = StackFile.Read(path);
                var snapshot = PlanSnapshots.PathFor(file.Stack);
                Directory.CreateDirectory(Path.GetDirectoryName(snapshot)!);
                await File.WriteAllTextAsync(snapshot, PlanPrinter.Print(file, await PlanRunner.RunAsync(file)));
                Console.Out.WriteLine($"wrote {snapshot}");
            }
            return 0;
        }
        default:
            Console.Error.WriteLine("usage: scripts/plan FILE | scripts/plan --rebuild NODE FILE | scripts/plan --diff BASE FILE   (FILE: a stack file such as Pulumi.dev.yaml or stacks/Pulumi.prod.yaml; BASE: a stack file or git:REV)");
            return 2;
    }
}
catch (LabConfigException e)
{
    Console.Error.Write(PlanPrinter.Errors(e));
    return 1;
}
catch (PlanInputException e)
{
    Console.Error.WriteLine($"scripts/plan: {e.Message}");
    return 2;
}
