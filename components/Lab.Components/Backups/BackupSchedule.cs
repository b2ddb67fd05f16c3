using Lab.Components.Nodes;
using Lab.Model.Backups;
using Lab.Model.Nodes;
using Pulumi;
using Pulumi.Command.Remote;

namespace Lab.Components.Backups;

/// <summary>One machine that backs something up: how to reach it, its rendered step, and what must be done first.</summary>
public sealed class BackupMachine
{
    public required SshTarget Ssh { get; init; }

    /// <summary>Lab.Model BackupJobs.Setup for the machine.</summary>
    public required StepScript Setup { get; init; }

    /// <summary>Its rebuild generation (a rebuilt node gets its units again); 0 for the NAS.</summary>
    public Input<int> Rebuild { get; init; } = 0;

    /// <summary>The steps that must have run: the NAS's exports, or the node's chain (vault-agent has written the password file).</summary>
    public required IReadOnlyList<Resource> After { get; init; }
}

public sealed class BackupScheduleArgs : ResourceArgs
{
    /// <summary>The control node first (Lab.Model BackupJobs.Machines): its step reads the password the NAS's is fed.</summary>
    public required IReadOnlyList<BackupMachine> Machines { get; init; }
}

/// <summary>
/// The lab's backups (Lab.Model BackupJobs): on each machine that holds data, restic pinned and the
/// lab-backup units with their timers. The backups themselves run on the machines' schedules, not in an update.
/// The NAS runs no vault-agent: the control node's step prints the password vault-agent wrote there as a
/// secret output, and the NAS's step reads it on stdin.
/// </summary>
public sealed class BackupSchedule : ComponentResource
{
    public const string TypeToken = "lab:backups:BackupSchedule";

    /// <summary>How many timers the machines reported enabled.</summary>
    [Output] public Output<int> Timers { get; private set; }

    public BackupSchedule(string name, BackupScheduleArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        var control = args.Machines[0];
        var first = RemoteStep.Create(this, control.Setup.Target, control.Ssh, control.Setup, waitForBoot: false,
            RemoteStep.Triggers(control.Setup, control.Rebuild), control.After, secretOutput: true);
        var steps = args.Machines.Skip(1).Select(m => RemoteStep.Create(this, m.Setup.Target, m.Ssh, m.Setup, waitForBoot: false,
                RemoteStep.Triggers(m.Setup, m.Rebuild), [.. m.After, first],
                secretLines: first.Stdout.Apply(stdout => StepFacts.Require(control.Setup.Target, control.Setup.Step, stdout, BackupJobs.PasswordFact) + "\n")))
            .Prepend(first).Zip(args.Machines).ToList();
        Timers = Output.All(steps.Select(s => s.First.Stdout.Apply(stdout =>
                StepFacts.RequireCount(s.Second.Setup.Target, s.Second.Setup.Step, stdout, "backup_timers"))))
            .Apply(counts => counts.Sum());
        RegisterOutputs(new Dictionary<string, object?> { ["timers"] = Timers });
    }
}
