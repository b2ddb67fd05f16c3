using System.Globalization;
using Lab.Model.Artifacts;
using Lab.Model.Drift;
using Lab.Model.Nodes;
using Lab.Model.Spec;
using Lab.Model.Validation;

// Operator tools that need no Pulumi:
//   render FILE DIR       every artifact Lab.Model renders for a stack file, one file each
//   verdict FILE RESULTS  re-judge saved probe output against the stack's targets
//   host-keys list FILE   the machines of a stack file: KEY NAME HOST PORT FINGERPRINT (or -)
//   host-keys write FILE  writes "KEY TYPE BASE64" lines from stdin into the file as hostKeys (scripts/host-keys, dr-rebuild)
//   lab-ca show FILE      Vault's address in a stack file and the pinned CA: HOST PORT SHA256 (or -)
//   lab-ca write FILE     writes the PEM CA certificate on stdin into the file as lab:vault.ca (scripts/lab-ca)
//   chain FILE DIR        every machine and remote step in the program's order, for scripts/box and scripts/drift
//   drift-report DIR text|json|metrics   the report of scripts/drift's checks in DIR (its chain/ and results/)
//   config-reference      docs/configuration.md, rendered from the loader's catalogue of keys (scripts/render-docs)
//   backup-item FILE ITEM where a lab:backups item lives: MACHINE HOST SSH_USER SSH_PORT SOURCE (scripts/restore)
return args switch
{
    ["backup-item", var stackFile, var item] => Run(() => BackupItem(stackFile, item)),
    ["config-reference"] => Run(() =>
    {
        Console.Write(ConfigReference.Markdown());
        return 0;
    }),
    ["host-keys", "list", var stackFile] => Run(() => ListMachines(stackFile)),
    ["host-keys", "write", var stackFile] => Run(() => WriteHostKeys(stackFile)),
    ["lab-ca", "show", var stackFile] => Run(() => ShowVault(stackFile)),
    ["lab-ca", "write", var stackFile] => Run(() => WriteLabCa(stackFile)),
    ["chain", var stackFile, var outDir] => Run(() => Chain(stackFile, outDir)),
    ["drift-report", var dir, var format] => Run(() => DriftReportOf(dir, format)),
    ["render", var stackFile, var outDir] => Run(() => Render(stackFile, outDir)),
    ["verdict", var stackFile, var results] => Run(() => Verdict(stackFile, results)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: scripts/render FILE DIR | scripts/verdict FILE RESULTS | host-keys list|write FILE | lab-ca show|write FILE | Lab.Cli chain FILE DIR | Lab.Cli backup-item FILE ITEM | scripts/render-docs   (FILE: a stack file such as Pulumi.dev.yaml)");
    return 2;
}

static int Run(Func<int> command)
{
    try
    {
        return command();
    }
    catch (LabConfigException e)
    {
        Console.Error.Write(e.Message + "\n");
        return 1;
    }
}

static LabSpec Load(string stackFile)
{
    var file = StackFile.Read(stackFile);
    return LabSpecLoader.Load(file.Stack, file.Config, file.SecretKeys);
}

static int Render(string stackFile, string outDir)
{
    var lab = Load(stackFile);
    var artifacts = LabArtifacts.Render(lab).ToList();
    // Every file lands inside DIR: a path that would leave it is refused before anything is written.
    if (!ArtifactPath.WriteAll(outDir, artifacts, Console.Out, Console.Error))
    {
        return 1;
    }
    Console.WriteLine($"{artifacts.Count} artifacts for stack '{lab.Stack}' in {outDir}");
    return 0;
}

static int Verdict(string stackFile, string results)
{
    var lab = Load(stackFile);
    if (!File.Exists(results))
    {
        Console.Error.WriteLine($"{results}: no such file. Save the collector's output (LAB_JOB / LAB_RESULT lines) there first.");
        return 2;
    }
    // Judge against the targets even where the stack's gate is off: the operator asked.
    var probes = Probes.For(lab with { Validation = lab.Validation with { Mode = GateMode.Enforce } });
    var verdict = GateVerdict.Judge(probes, File.ReadAllText(results));
    Console.Write(verdict.Table());
    return verdict.Passed ? 0 : 1;
}

static int ListMachines(string stackFile)
{
    foreach (var m in HostKeyFile.Machines(StackFile.Read(stackFile)))
    {
        Console.WriteLine($"{m.Key} {m.Name} {m.Host} {m.Port} {m.HostKey?.Fingerprint ?? "-"}");
    }
    return 0;
}

static int WriteHostKeys(string stackFile)
{
    var file = StackFile.Read(stackFile);
    var known = HostKeyFile.Machines(file).Select(m => m.Key).ToHashSet();
    var keys = new Dictionary<string, HostKey>();
    var errors = new List<ConfigError>();
    foreach (var line in Console.In.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
    {
        var parts = line.Split(' ', 2);
        var key = $"{parts[0]}.hostKey";
        if (!known.Contains(parts[0]))
        {
            errors.Add(new ConfigError(key, "names no machine of the stack.", $"use one of: {string.Join(", ", known)}."));
        }
        else if (!HostKey.TryParse(parts.Length > 1 ? parts[1] : "", out var hostKey, out var problem))
        {
            errors.Add(new ConfigError(key, problem, "fetch it again: ssh-keyscan -t ed25519 HOST."));
        }
        else
        {
            keys[parts[0]] = hostKey!;
        }
    }
    if (errors.Count > 0)
    {
        throw new LabConfigException(file.Stack, errors);
    }
    File.WriteAllText(stackFile, HostKeyFile.Write(file, File.ReadAllText(stackFile), keys));
    foreach (var (key, hostKey) in keys)
    {
        Console.WriteLine($"{key}.hostKey {hostKey.Fingerprint}");
    }
    return 0;
}

static int ShowVault(string stackFile)
{
    var vault = LabCaFile.Endpoint(StackFile.Read(stackFile));
    Console.WriteLine($"{vault.Host} {vault.Port} {vault.PinnedSha256}");
    return 0;
}

static int WriteLabCa(string stackFile)
{
    var file = StackFile.Read(stackFile);
    if (!LabCa.TryParse(Console.In.ReadToEnd(), DateTime.UtcNow, out var ca, out var problem))
    {
        throw new LabConfigException(file.Stack, [new ConfigError($"{ConfigKeys.Vault}.ca", $"the collected certificate {problem}", "collect it again; nothing was written.")]);
    }
    File.WriteAllText(stackFile, LabCaFile.Write(file, File.ReadAllText(stackFile), ca!));
    Console.WriteLine($"{ConfigKeys.Vault}.ca {ca!.Sha256}");
    return 0;
}

// One tab-separated line: the machine that backs ITEM up, its address, the SSH user and port, and what it backs up.
static int BackupItem(string stackFile, string item)
{
    var lab = Load(stackFile);
    var machines = Lab.Model.Backups.BackupJobs.Machines(lab);
    var holder = machines.FirstOrDefault(m => m.Items.Any(i => i.Name == item));
    if (holder is null)
    {
        var known = machines.SelectMany(m => m.Items).Select(i => i.Name).ToList();
        Console.Error.WriteLine(known.Count == 0
            ? $"restore: stack '{lab.Stack}' backs up nothing ({ConfigKeys.Backups} is not set)."
            : $"restore: stack '{lab.Stack}' backs up no item '{ConfigText.Shorten(item)}'; its items: {string.Join(", ", known)}.");
        return 1;
    }
    var spec = holder.Items.Single(i => i.Name == item);
    var host = ApplyOrder.Machines(lab).Single(m => m.Name == holder.Machine).Host;
    var source = spec.Source == BackupSource.Export ? lab.Nas.Export(spec.Export!).Path : spec.Source.ToString().ToLowerInvariant();
    Console.WriteLine(string.Join('\t', holder.Machine, host, lab.Ssh.User, lab.Ssh.Port, source));
    return 0;
}

// Writes DIR/machines.tsv (name, host, kind, ssh user, ssh port, a node's memoryGb or -), DIR/steps.tsv (one line per step in
// order: machine, step, rebuild generations in its triggers or -, script sha256, script file, secrets file or -,
// "beside" for a step that runs beside the next one (OrderedStep.Beside) or -, and "boot" for a step that dials
// until the machine has booted (StepScript.WaitsForBoot) or -, and "chain" for a step of its node's own chain, run beside
// the other nodes' chains (OrderedStep.InNodeChain), or -), DIR/boot-timeout, the
// files, and DIR/pins.tsv (every package the steps pin: name, version). A secrets file holds what a test run feeds after the script, one line each: `value V` (a
// generated test value standing in for the Pulumi secret) or `fact MACHINE STEP KEY`.
static int Chain(string stackFile, string outDir)
{
    var lab = Load(stackFile);
    Directory.CreateDirectory(Path.Combine(outDir, "steps"));
    File.WriteAllLines(Path.Combine(outDir, "machines.tsv"),
        ApplyOrder.Machines(lab).Select(m => string.Join('\t', m.Name, m.Host, m.Kind, lab.Ssh.User, lab.Ssh.Port,
            lab.Nodes.FirstOrDefault(n => n.Name == m.Name)?.MemoryGb.ToString(CultureInfo.InvariantCulture) ?? "-")));
    var index = new List<string>();
    foreach (var (step, i) in ApplyOrder.Steps(lab).Select((s, i) => (s, i)))
    {
        var name = $"{i:D3}-{step.Machine.Name}-{step.Script.Step}";
        File.WriteAllText(Path.Combine(outDir, "steps", name + ".sh"), step.Script.Text);
        var secrets = "-";
        if (step.Secrets.Count > 0)
        {
            secrets = $"steps/{name}.secrets";
            File.WriteAllLines(Path.Combine(outDir, secrets),
                step.Secrets.Select(s => s.FromFact ? $"fact {s.Source}" : $"value {TestValue(s.Source)}"));
        }
        index.Add(string.Join('\t', step.Machine.Name, step.Script.Step, step.Generations.Count == 0 ? "-" : string.Join(',', step.Generations),
            step.Script.Hash, $"steps/{name}.sh", secrets, step.Beside ? "beside" : "-", step.Script.WaitsForBoot ? "boot" : "-",
            step.InNodeChain ? "chain" : "-"));
    }
    File.WriteAllLines(Path.Combine(outDir, "steps.tsv"), index);
    // How long a step that waits for a boot keeps dialling (lab:ssh.bootTimeout), in seconds.
    File.WriteAllText(Path.Combine(outDir, "boot-timeout"), lab.Ssh.BootTimeoutSeconds.ToString(CultureInfo.InvariantCulture) + "\n");
    // The host keys every connection checks (pinned), or none (collect: reached unpinned, as pulumi-command does).
    File.WriteAllText(Path.Combine(outDir, "host-key-mode"), lab.Ssh.HostKeys == HostKeyMode.Pinned ? "pinned\n" : "collect\n");
    File.WriteAllLines(Path.Combine(outDir, "host-keys.tsv"),
        lab.Nodes.Select(n => (n.Name, n.HostKey)).Prepend((lab.Nas.Name, lab.Nas.HostKey)).Select(m => $"{m.Name}\t{m.HostKey?.Line ?? "-"}"));
    File.WriteAllText(Path.Combine(outDir, "stack"), lab.Stack + "\n");
    File.WriteAllText(Path.Combine(outDir, "check-runner"), CheckMode.Runner + "\n");
    // Every package a step pins, so a test run can offer exactly these versions.
    var v = lab.Versions;
    File.WriteAllLines(Path.Combine(outDir, "pins.tsv"),
        v.OsPackages.Select(p => (p.Key, p.Value))
            .Append(($"nvidia-driver-{v.DriverBranch}-open", v.NvidiaDriver))
            .Concat(NodeSteps.ToolkitPackages.Select(p => (p, v.ContainerToolkit)))
            .Append(("vault", lab.Vault.AgentVersion))
            .Select(p => $"{p.Item1}\t{p.Item2}"));
    Console.WriteLine($"{index.Count} steps on {ApplyOrder.Machines(lab).Count} machines for stack '{lab.Stack}' in {outDir}");
    return 0;
}

// DIR/chain is Chain's output; DIR/results/MACHINE/STEP.rc and .out what each check exited and printed,
// DIR/results/MACHINE.unreachable why a machine was not reached, DIR/seconds how long the run took.
static int DriftReportOf(string dir, string format)
{
    var chain = Path.Combine(dir, "chain");
    var results = Path.Combine(dir, "results");
    var unreachable = Directory.GetFiles(results, "*.unreachable")
        .ToDictionary(f => Path.GetFileNameWithoutExtension(f), f => File.ReadAllText(f).Trim());
    var steps = File.ReadAllLines(Path.Combine(chain, "steps.tsv")).Select(l => l.Split('\t')).Select(f =>
    {
        var rc = Path.Combine(results, f[0], f[1] + ".rc");
        DriftReport.Result? result = File.Exists(rc)
            ? new(int.Parse(File.ReadAllText(rc).Trim(), CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(results, f[0], f[1] + ".out")))
            : null;
        return (Machine: f[0], Step: f[1], Result: result);
    });
    var selected = File.ReadAllLines(Path.Combine(results, "machines")).ToHashSet();
    var report = DriftReport.Judge(File.ReadAllText(Path.Combine(chain, "stack")).Trim(), steps.Where(s => selected.Contains(s.Machine)), unreachable,
        double.Parse(File.ReadAllText(Path.Combine(dir, "seconds")).Trim(), CultureInfo.InvariantCulture));
    Console.Write(format switch
    {
        "json" => report.Json(),
        "metrics" => report.Metrics(DateTimeOffset.UtcNow.ToUnixTimeSeconds()),
        _ => report.Text(),
    });
    return report.ExitCode;
}

// A test value for a secret: 32 lowercase hex characters, stable per name (a join token's alphabet).
static string TestValue(string name) => Lab.Model.Text.Shell.Sha256("lab box test value: " + name)[..32];
