using System.Collections.Immutable;
using System.Globalization;
using Lab.Model.Artifacts;
using Lab.Model.Nodes;
using Lab.Model.Spec;
using Lab.Model.Text;

namespace Lab.Model.Backups;

/// <summary>
/// The lab's backups on the machines that hold the data (issue 22): restic, pinned like every package; a
/// runtime script (lab-backup) with the machine's items in its data block; per item a service and timer that
/// back it up and forget by its keep rules; a check timer on one machine and a restore-drill timer on each.
/// The NAS backs up the exports; the control node the cluster's datastore.
/// </summary>
public static class BackupJobs
{
    public const string Component = "backups";
    public const string Step = "backups";
    public const string Package = "restic";
    public const string Runtime = "/usr/local/lib/lab-backup/lab-backup";
    public const string UnitDir = "/etc/systemd/system";
    public const string CacheDir = "/var/cache/lab-backup";
    public const string StagingDir = "/var/lib/lab-backup/staging";
    public const string DrillDir = "/var/tmp/lab-backup-drill";
    public const string MicroK8sData = "/var/snap/microk8s/current";

    /// <summary>The Pushgateway's NodePort on the control node (contract 3), where node timers push.</summary>
    public const int PushgatewayNodePort = 30091;

    /// <summary>
    /// The series lab-backup pushes (group job=lab_backup/item/ITEM) after each good backup: its Unix time. The gate's
    /// backup-ages probe and the BackupOlderThanRPO alert read it.
    /// </summary>
    public const string LastSuccessMetric = "lab_backup_last_success_timestamp_seconds";

    /// <summary>How many unchanged files a drill restores and compares per item.</summary>
    public const int DrillSample = 20;

    /// <summary>One machine's share of the backups: the items whose data it holds.</summary>
    /// <param name="PasswordFromControl">No vault-agent runs there (the NAS): the control node's step reads the password vault-agent wrote and the program feeds it to this step on stdin.</param>
    /// <param name="SharesPassword">The control node's step prints the password (base64, a secret output) for the NAS's step.</param>
    public sealed record MachineBackups(string Machine, bool PasswordFromControl, bool SharesPassword, bool RunsCheck, ImmutableArray<BackupItemSpec> Items);

    /// <summary>The fact of the control node's step that carries the repository password to the NAS's.</summary>
    public const string PasswordFact = "repository_password_b64";

    /// <summary>
    /// Where the NAS keeps the repository password across its reboots, encrypted with the machine's credential key
    /// (systemd-creds) under the name <see cref="PasswordCredential"/>: its password file is on tmpfs, which a reboot
    /// empties, and no step runs again then. lab-backup writes the file back from here before it reads it.
    /// </summary>
    public const string PasswordStore = "/etc/credstore.encrypted/lab-restic-password";

    /// <summary>The credential's name, sealed into it: systemd-creds decrypts it under this name only.</summary>
    public const string PasswordCredential = "restic-password";

    /// <summary>
    /// The machines that back something up: the control node first (it also checks the repository, and reads the
    /// password for the NAS), then the NAS when exports are backed up.
    /// </summary>
    public static IReadOnlyList<MachineBackups> Machines(LabSpec spec)
    {
        if (spec.Backups is not { } b)
        {
            return [];
        }
        var nas = b.Items.Where(i => i.Source == BackupSource.Export).ToImmutableArray();
        var control = b.Items.Where(i => i.Source != BackupSource.Export).ToImmutableArray();
        return
        [
            new(spec.ControlNode.Name, false, nas.Length > 0, true, control),
            .. nas.Length > 0 ? [new MachineBackups(spec.Nas.Name, true, false, false, nas)] : Array.Empty<MachineBackups>(),
        ];
    }

    /// <summary>The password's store where the step feeds the password (the NAS); empty where vault-agent keeps the file.</summary>
    private static string Store(MachineBackups m) => m.PasswordFromControl ? PasswordStore : "";

    public static string Pushgateway(LabSpec spec) => $"http://{spec.ControlNode.Host}:{PushgatewayNodePort}";

    /// <summary>What restic reads for an item, as lab-backup's data names it: Vault's snapshot is the name restic gives its stdin.</summary>
    private static string SourcePath(LabSpec spec, BackupItemSpec item) => item.Source switch
    {
        BackupSource.Export => spec.Nas.Export(item.Export!).Path,
        BackupSource.Vault => $"{item.Name}.snap",
        _ => $"{StagingDir}/datastore",
    };

    /// <param name="Kinds">Per item: export, datastore or vault.</param>
    /// <param name="VaultToken">The snapshot agent's token sink (VaultSnapshot): lab-backup sends it in a header, never argv.</param>
    public sealed record RuntimeData(
        string Machine, string Repository, string PasswordFile, string PasswordStore, string PasswordCredential, string Pushgateway, string CacheDir, string StagingDir, string DrillDir, int DrillSample,
        ImmutableArray<string> Items, ImmutableArray<string> Kinds, ImmutableArray<string> Paths, ImmutableArray<string> RpoSeconds,
        ImmutableArray<string> KeepLast, ImmutableArray<string> KeepDaily, ImmutableArray<string> KeepWeekly, ImmutableArray<string> KeepMonthly,
        string CheckSubset, string Microk8sData, string VaultAddress, string VaultCa, string VaultToken);

    /// <summary>lab-backup for one machine: the data block of its items, then the constant body.</summary>
    public static string RuntimeScript(LabSpec spec, MachineBackups m)
    {
        var b = spec.Backups!;
        ImmutableArray<string> Per(Func<BackupItemSpec, object> f) => [.. m.Items.Select(i => Convert.ToString(f(i), CultureInfo.InvariantCulture)!)];
        var data = new RuntimeData(m.Machine, b.Repository, b.PasswordFile, Store(m), PasswordCredential, Pushgateway(spec), CacheDir, StagingDir, DrillDir, DrillSample,
            Per(i => i.Name), Per(i => i.Source.ToString().ToLowerInvariant()), Per(i => SourcePath(spec, i)), Per(i => i.RpoSeconds),
            Per(i => i.Keep.Last), Per(i => i.Keep.Daily), Per(i => i.Keep.Weekly), Per(i => i.Keep.Monthly),
            b.CheckSubset, MicroK8sData, spec.Vault.Address, spec.Vault.CaCert, Vault.VaultSnapshot.TokenSink);
        return "#!/usr/bin/env bash\n"
            + "# lab-backup: the lab's restic backups on this machine; rendered by Lab.Model, run by the lab-backup-* units.\n"
            + "set -Eeuo pipefail\n\n"
            + ScriptData.Render(data)
            + ScriptBodies.Read("Backups/lab-backup.sh");
    }

    /// <summary>A oneshot service running lab-backup; the whole file system but its own directories is read-only to it.</summary>
    public static string Service(string description, string arguments) => $"""
        [Unit]
        Description={Systemd.Value(description)}
        Wants=network-online.target
        After=network-online.target

        [Service]
        Type=oneshot
        # The password file back from its store where a reboot emptied it; with full privileges ('+'): the sandbox below keeps /run read-only.
        ExecStartPre=+{Runtime} password
        ExecStart={Runtime} {arguments}
        Nice=10
        IOSchedulingClass=idle
        # A backup never writes, moves or deletes its source: all but restic's cache, the staging copy and a private tmp is read-only.
        ProtectSystem=strict
        PrivateTmp=yes
        CacheDirectory=lab-backup
        StateDirectory=lab-backup

        """;

    public static string Timer(string description, string schedule) => $"""
        [Unit]
        Description={Systemd.Value(description)}

        [Timer]
        OnCalendar={Systemd.Value(schedule)}
        # A run missed while the machine was off starts at boot; the spread keeps machines off the repository at once.
        Persistent=true
        RandomizedDelaySec=10m

        [Install]
        WantedBy=timers.target

        """;

    /// <summary>A unit or script the step installs: its name on the machine, content and mode.</summary>
    public sealed record InstalledFile(string Path, string Content, string Mode);

    public static IReadOnlyList<InstalledFile> Files(LabSpec spec, MachineBackups m)
    {
        var b = spec.Backups!;
        var files = new List<InstalledFile> { new(Runtime, RuntimeScript(spec, m), "0755") };
        foreach (var item in m.Items)
        {
            files.Add(new($"{UnitDir}/lab-backup-{item.Name}.service",
                Service($"lab backup of {item.Name} (restic)", $"backup {item.Name}"), "0644"));
            files.Add(new($"{UnitDir}/lab-backup-{item.Name}.timer", Timer($"lab backup of {item.Name}: {item.Schedule}", item.Schedule), "0644"));
        }
        if (m.Items.Length > 0)
        {
            files.Add(new($"{UnitDir}/lab-backup-drill.service", Service("lab restore drill: a sample of each item restored and compared", "drill"), "0644"));
            files.Add(new($"{UnitDir}/lab-backup-drill.timer", Timer("lab restore drill", b.DrillSchedule), "0644"));
        }
        if (m.RunsCheck)
        {
            files.Add(new($"{UnitDir}/lab-backup-check.service", Service("lab backup repository check (restic check --read-data-subset)", "check"), "0644"));
            files.Add(new($"{UnitDir}/lab-backup-check.timer", Timer("lab backup repository check", b.CheckSchedule), "0644"));
        }
        return files;
    }

    public static IReadOnlyList<string> Timers(MachineBackups m) =>
        [.. m.Items.Select(i => $"lab-backup-{i.Name}.timer"), .. m.Items.Length > 0 ? ["lab-backup-drill.timer"] : Array.Empty<string>(),
            .. m.RunsCheck ? ["lab-backup-check.timer"] : Array.Empty<string>()];

    /// <param name="Schedules">Every OnCalendar= of the machine's timers, checked with systemd-analyze calendar before any unit is written.</param>
    /// <param name="PasswordFromStdin">true where no vault-agent runs (the NAS): the password arrives on stdin after the script, base64-encoded.</param>
    /// <param name="SharePassword">Print the password (base64) as the fact the NAS's step is fed (a secret output).</param>
    /// <param name="PasswordStore">Where the NAS keeps the password across reboots (<see cref="PasswordStore"/>); empty elsewhere.</param>
    public sealed record BackupsData(ImmutableArray<string> Packages, ImmutableArray<string> Schedules, string PasswordFile, string PasswordStore, string PasswordCredential,
        bool PasswordFromStdin, bool SharePassword,
        ImmutableArray<string> Files, ImmutableArray<string> Contents, ImmutableArray<string> Modes, ImmutableArray<string> Timers);

    /// <summary>The machine's step: restic pinned, schedules checked, the password file (NAS), units and timers on.</summary>
    public static StepScript Setup(LabSpec spec, MachineBackups m)
    {
        var b = spec.Backups!;
        var files = Files(spec, m);
        var data = new BackupsData([$"{Package}={spec.Versions.OsPackages[Package]}"],
            [.. m.Items.Select(i => i.Schedule).Concat(m.Items.Length > 0 ? [b.DrillSchedule] : []).Concat(m.RunsCheck ? [b.CheckSchedule] : []).Distinct()],
            b.PasswordFile, Store(m), PasswordCredential, m.PasswordFromControl, m.SharesPassword,
            [.. files.Select(f => f.Path)], [.. files.Select(f => f.Content)], [.. files.Select(f => f.Mode)], [.. Timers(m)]);
        const string purpose = "restic pinned, the lab-backup units and their timers";
        return m.PasswordFromControl
            ? StepScript.RenderReadingSecrets(Component, m.Machine, Step, purpose, [PasswordFact], data, "Backups/backups.sh", ShellHelper.AptPin, ShellHelper.WriteFile)
            : StepScript.Render(Component, m.Machine, Step, purpose, data, "Backups/backups.sh", ShellHelper.AptPin, ShellHelper.WriteFile);
    }

    public static IEnumerable<Artifact> Artifacts(LabSpec spec) =>
        // lab-backup is listed as .sh, so the shellcheck of every rendered script covers it.
        Machines(spec).SelectMany(m => Files(spec, m).Select(f => new Artifact($"{Component}/{m.Machine}/{Path.GetFileName(f.Path)}{(f.Path == Runtime ? ".sh" : "")}", f.Content))
            .Append(Setup(spec, m).ToArtifact()));
}
