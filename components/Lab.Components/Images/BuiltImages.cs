using System.Collections.Immutable;
using Lab.Components.Nodes;
using Lab.Model.Images;
using Lab.Model.Nodes;
using Pulumi;

namespace Lab.Components.Images;

/// <summary>A node whose containerd must trust the lab's registry; a rebuilt node gets its hosts.toml again.</summary>
public sealed class RegistryClient
{
    public required string Name { get; init; }
    public required SshTarget Ssh { get; init; }
    public required StepScript Trust { get; init; }
    public required Input<int> Rebuild { get; init; }

    /// <summary>
    /// What its trust step waits for: the node joined (MicroK8sCluster.Joined), so after its own install (the snap's args
    /// directory the file goes into) and the add-ons (a registry add-on among them). Not the whole cluster: no other
    /// node's steps matter to this node's file, and N nodes each naming the cluster's 3N ready resources is N².
    /// </summary>
    public required IReadOnlyList<Resource> After { get; init; }
}

public sealed class BuiltImagesArgs : ResourceArgs
{
    /// <summary>Every image of the catalogue (LabImages.Sources): its build step, or the check of the operator's digest.</summary>
    public required IReadOnlyList<ImageSource> Sources { get; init; }

    /// <summary>Where the images are built: the control node.</summary>
    public required SshTarget Control { get; init; }

    /// <summary>The cluster is ready: what the builds wait for (the tools image copies the control node's kubectl).</summary>
    public required IReadOnlyList<Resource> After { get; init; }

    public required IReadOnlyList<RegistryClient> Clients { get; init; }
}

/// <summary>
/// The lab's images: each one the operator did not pin is built on the control node, pushed to the lab's registry,
/// and handed on as REPOSITORY@sha256:DIGEST of what was pushed; a pinned one is checked to resolve there first.
/// Every node's containerd trusts the registry.
/// </summary>
public sealed class BuiltImages : ComponentResource
{
    public const string TypeToken = "lab:images:BuiltImages";

    /// <summary>Image name → REGISTRY/REPOSITORY@sha256:DIGEST (or the operator's pinned reference).</summary>
    public ImmutableDictionary<string, Output<string>> References { get; }

    /// <summary>Every node trusts the registry: Jobs may pull once this is done.</summary>
    public IReadOnlyList<Resource> Trusted { get; }

    public BuiltImages(string name, BuiltImagesArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        Trusted = [.. args.Clients.Select(c => (Resource)RemoteStep.Create(this, $"{name}-{c.Name}", c.Ssh, c.Trust, waitForBoot: false,
            RemoteStep.Triggers(c.Trust, c.Rebuild), c.After))];
        var references = ImmutableDictionary.CreateBuilder<string, Output<string>>(StringComparer.Ordinal);
        foreach (var source in args.Sources)
        {
            // A build is replaced only when its context or pins change (its script's hash): no change, no rebuild.
            // A pinned image's check runs again only when the pin changes.
            var step = RemoteStep.Create(this, name, args.Control, source.Step, waitForBoot: false, RemoteStep.Triggers(source.Step), args.After);
            references[source.Name] = step.Stdout.Apply(output =>
            {
                try
                {
                    return LabImages.PushedReference(source.Step, output);
                }
                catch (InvalidOperationException e)
                {
                    throw new RunException(e.Message);
                }
            });
        }
        References = references.ToImmutable();
        RegisterOutputs(References.ToDictionary(r => r.Key, r => (object?)r.Value));
    }
}
