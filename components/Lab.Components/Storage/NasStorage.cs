using Lab.Components.Nodes;
using Lab.Model.Nodes;
using Pulumi;

namespace Lab.Components.Storage;

public sealed class NasStorageArgs : ResourceArgs
{
    public required SshTarget Ssh { get; init; }

    /// <summary>The NAS's rendered steps (Lab.Model NasExports): ready, one per export directory, then the exports file.</summary>
    public required IReadOnlyList<StepScript> Steps { get; init; }
}

/// <summary>
/// The NAS as the lab's NFS server. Nothing here ever deletes data: the steps define no delete
/// command and are retained on delete, and a node's rebuild never reaches them.
/// </summary>
public sealed class NasStorage : ComponentResource
{
    public const string TypeToken = "lab:storage:NasStorage";
    private const string ExportsStep = "exports";

    /// <summary>The step that applies the exports; node mounts run after it.</summary>
    public StepCommand Exports { get; }

    /// <summary>How many exports the NAS reported after applying the file.</summary>
    [Output] public Output<int> ExportCount { get; private set; }

    public NasStorage(string name, NasStorageArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        var ready = RemoteStep.Create(this, name, args.Ssh, args.Steps[0], waitForBoot: true, null, []);
        var directories = args.Steps.Skip(1).Where(s => s.Step != ExportsStep)
            .Select(s => RemoteStep.Create(this, name, args.Ssh, s, waitForBoot: false, null, [ready], retainOnDelete: true))
            .ToList();
        Exports = RemoteStep.Create(this, name, args.Ssh, args.Steps.Single(s => s.Step == ExportsStep), waitForBoot: false, null,
            directories, retainOnDelete: true);

        ExportCount = Exports.Stdout.Apply(stdout => StepFacts.RequireCount(name, ExportsStep, stdout, "exports"));
        RegisterOutputs(new Dictionary<string, object?> { ["exportCount"] = ExportCount });
    }
}
